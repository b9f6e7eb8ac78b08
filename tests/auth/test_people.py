"""Managing people: one row per phone number even under a burst, and the subdistrict never
left without an active admin."""

import re

import pytest
from sqlalchemy import func, select

from coordinator.auth import services
from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.rules import Refused
from tests.conftest import field_errors

pytestmark = pytest.mark.usefixtures("english")


def _form(user, **over):
    data = {
        "name": user.name,
        "phone": user.phone,
        "role": user.role,
        "community_id": str(user.community_id or 0),
        "team_id": str(user.team_id or 0),
        "password": "",
        "active": "y",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def _errors(answer) -> list[str]:
    return field_errors(answer.text if hasattr(answer, "text") else answer.get_data(as_text=True))


def test_the_same_phone_sent_ten_times_at_once_makes_one_account(app, live, make):
    admin = make.user("admin")
    community = make.community()
    make.commit()
    cookie = live.login(admin.phone)
    data = {
        "name": "周静",
        "phone": "13800000044",
        "role": "staff",
        "community_id": str(community.id),
        "team_id": "0",
        "password": "longenough",
        "active": "y",
    }
    answers = live.burst(10, lambda i: live.post("/people/new", data, cookie=cookie + "; lang=en"))
    statuses = sorted(a.status for a in answers)
    assert statuses.count(302) == 1, statuses
    refused = [a for a in answers if a.status != 302]
    assert {a.status for a in refused} <= {409, 422}
    for answer in refused:
        assert "Someone already has this mobile number." in _errors(answer)
        assert 'value="周静"' in answer.text  # what was typed is kept
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id)).where(User.phone == "13800000044")) == 1


def test_an_admin_cannot_deactivate_themselves(client, auth, make):
    admin = make.user("admin")
    make.user("admin")  # even with another admin there
    make.commit()
    auth.login(admin)
    answer = client.post(f"/people/{admin.id}", data=_form(admin, active=None))
    assert answer.status_code == 422
    assert "You cannot deactivate your own account; ask another admin." in _errors(answer)
    assert 'id="err-active"' in answer.get_data(as_text=True)  # at the field
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


def test_the_last_active_admin_keeps_the_role(client, auth, make):
    admin = make.user("admin")
    retired = make.user("admin")
    retired.active = False  # an inactive admin does not count
    community = make.community()
    make.commit()
    auth.login(admin)
    answer = client.post(
        f"/people/{admin.id}", data=_form(admin, role="staff", community_id=str(community.id))
    )
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert re.search(r'id="err-role">This is the last active admin', html)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"


def test_an_admin_may_deactivate_another_while_one_stays(client, auth, make):
    admin, other = make.user("admin"), make.user("admin")
    make.commit()
    auth.login(admin)
    assert client.post(f"/people/{other.id}", data=_form(other, active=None)).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, other.id).active


def test_two_admins_deactivating_each_other_at_once_leave_one(app, live, make):
    first, second = make.user("admin"), make.user("admin")
    make.commit()
    cookies = {first.id: live.login(first.phone), second.id: live.login(second.phone)}
    pairs = [(first, second), (second, first)]

    def press(i):
        actor, target = pairs[i]
        return live.post(
            f"/people/{target.id}",
            _form(target, active=None),
            cookie=cookies[actor.id] + "; lang=en",
        )

    answers = live.burst(2, press)
    # The loser either is refused (409: the last active admin) or, when the winner's change
    # was committed before the loser's request was even read, is already signed out (its
    # account is inactive: a redirect to the sign-in page). Never two deactivations.
    losers = [a for a in answers if a.status == 409 or "/login" in a.text]
    assert len(losers) == 1 and len(answers) == 2, [(a.status, a.text[:300]) for a in answers]
    if losers[0].status == 409:
        assert any("last active admin" in e for e in _errors(losers[0]))
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.role == "admin", User.active)) == 1
    )


def test_staff_cannot_change_accounts_with_roles_they_cannot_give(client, auth, make):
    staff = make.user("staff")
    lead = make.user("lead", community_=staff.community)
    make.commit()
    auth.login(staff)
    answer = client.post(f"/people/{lead.id}", data=_form(lead, role="volunteer", team_id="0"))
    assert answer.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, lead.id).role == "lead"


def test_a_refusal_inside_the_unit_of_work_leaves_nothing(make):
    admin = make.user("admin")
    make.commit()
    with pytest.raises(Refused) as refused:
        services.save_user(
            admin,
            {"name": admin.name, "phone": admin.phone, "role": "resident", "active": True},
            admin,
        )
    assert refused.value.field == "role"
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"
