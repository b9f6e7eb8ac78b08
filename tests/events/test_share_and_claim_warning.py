"""An event shared as a WeChat text; a drive's day before its claim deadline warned at the form."""

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select

from coordinator.events.models import Event
from coordinator.events.services import claim_day_warning
from coordinator.extensions import db
from coordinator.i18n import to_utc
from coordinator.signups import services as signups_services
from tests.events.conftest import english, hx, make_event


def test_the_share_text_says_what_when_where_what_to_bring_and_who_is_needed(
    app, client, auth, make
):
    staff = make.user("staff")
    volunteer = make.user("volunteer")
    start = to_utc(datetime(2030, 12, 10, 9, 0))  # a Tuesday
    event = make_event(
        organiser=staff,
        roles=(("搬运车辆", 3), ("登记车辆", 1)),
        title="西土城路8号院车棚清理",
        bring="手套、水杯",
    )
    event.starts_at, event.ends_at = start, start + timedelta(hours=3)
    make.commit()
    signups_services.sign_up(volunteer, event.roles[1])
    auth.login(volunteer)  # anyone who sees the event may share it
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "分享到微信群" in page and 'data-copy="share-text"' in page
    text = page.split('id="share-text"', 1)[1].split("</div>", 1)[0]
    assert "【志愿者招募】西土城路8号院车棚清理" in text
    assert "时间：2030年12月10日 周二 09:00–12:00" in text
    assert "集合地点：" in text and "车棚前" in text
    assert "请携带：手套、水杯" in text
    assert "还需要：搬运车辆还差 3 人" in text and "登记车辆" not in text  # full: left out
    assert f"报名：http://localhost/events/{event.id}" in text
    assert volunteer.phone not in text and staff.phone not in text


def test_a_full_event_says_so_and_a_draft_has_no_share_text(app, client, auth, make):
    staff = make.user("staff")
    volunteer = make.user("volunteer")
    event = make_event(organiser=staff, roles=(("搬运", 1),))
    draft = make_event(organiser=staff, status="draft")
    make.commit()
    signups_services.sign_up(volunteer, event.roles[0])
    english(client)
    auth.login(staff)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "All places are taken; you can still join the waitlist." in page
    assert 'id="share-text"' not in client.get(f"/events/{draft.id}").get_data(as_text=True)


def test_the_claim_deadline_rule():
    notice = date(2030, 5, 1)
    day = datetime(2030, 5, 16, 9, 0)  # the deadline itself (1 May + 15 days)
    assert claim_day_warning("bike_drive", day, notice, 15) is not None
    assert claim_day_warning("bike_drive", day + timedelta(days=1), notice, 15) is None
    assert claim_day_warning("cleanup", day, notice, 15) is None
    assert claim_day_warning("bike_drive", day, None, 15) is None
    assert claim_day_warning("bike_drive", day, notice, None) is None


def _drive_form(staff, **changes):
    data = {
        "kind": "bike_drive",
        "title": "车棚清理",
        "community_id": staff.community_id,
        "compound_id": 0,
        "starts_at": "2030-05-10T09:00",
        "ends_at": "2030-05-10T12:00",
        "organiser_id": staff.id,
        "notice_date": "2030-05-01",
        "claim_days": "15",
        "roles-0-name": "搬运",
        "roles-0-capacity": "8",
    }
    return {**data, **changes}


def test_the_form_warns_as_the_drive_day_is_typed(app, client, auth, make):
    staff = make.user("staff")
    make.commit()
    english(client)
    auth.login(staff)
    early = client.get("/events/new", query_string=_drive_form(staff), headers=hx("claim_warning"))
    body = early.get_data(as_text=True)
    assert early.status_code == 200 and "<html" not in body and "<form" not in body
    assert "owners may claim their bikes until 16 May 2030" in body
    later = _drive_form(staff, starts_at="2030-05-17T09:00", ends_at="2030-05-17T12:00")
    fine = client.get("/events/new", query_string=later, headers=hx("claim_warning"))
    assert "owners may claim" not in fine.get_data(as_text=True)
    nonsense = _drive_form(staff, starts_at="soon", claim_days="-4", notice_date="0000-00-00")
    odd = client.get("/events/new", query_string=nonsense, headers=hx("claim_warning"))
    assert odd.status_code == 200 and "owners may claim" not in odd.get_data(as_text=True)
    assert db.session.scalar(select(Event.id)) is None  # nothing saved while typing


def test_the_warning_shows_on_the_form_and_after_saving_without_js(app, client, auth, make):
    staff = make.user("staff")
    make.commit()
    english(client)
    auth.login(staff)
    bad = client.post("/events/new", data=_drive_form(staff, title=""))
    assert bad.status_code == 422 and "owners may claim their bikes" in bad.get_data(as_text=True)
    saved = client.post("/events/new", data=_drive_form(staff), follow_redirects=True)
    assert "Saved 车棚清理" in saved.get_data(as_text=True)
    assert "owners may claim their bikes until 16 May 2030" in saved.get_data(as_text=True)
    # Saved all the same: a warning (orange), not an error (red).
    assert re.search(
        r'class="flash flash-warning"[^>]*>[^<]*owners may claim', saved.get_data(as_text=True)
    )
    event = db.session.scalar(select(Event))
    edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert "owners may claim their bikes" in edit
