"""A volunteer's hours are one figure: the home page and /me/hours say the same (5.5, not 5),
both from volunteers.queries.confirmed_minutes written by attendance.hours.hours_figure."""

import re

import pytest

from coordinator.attendance.hours import hours_figure
from coordinator.events.models import CONFIRMED, Signup
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.volunteers.queries import confirmed_minutes
from tests.events.conftest import english, make_event


@pytest.mark.parametrize(
    "minutes,written", [(None, ""), (0, "0"), (60, "1"), (150, "2.5"), (330, "5.5"), (45, "0.75")]
)
def test_hours_figure(minutes, written):
    assert hours_figure(minutes) == written


def _served(event, user, minutes, confirmed=True):
    now = utcnow()
    db.session.add(
        Signup(
            event_id=event.id,
            role_id=event.roles[0].id,
            user_id=user.id,
            status=CONFIRMED,
            hours_minutes=minutes,
            hours_confirmed_at=now if confirmed else None,
        )
    )


def test_home_and_my_hours_show_the_same_hours(app, client, auth, make):
    volunteer = make.user("volunteer")
    first, second, third = (make_event(title=f"活动{i}") for i in range(3))
    _served(first, volunteer, 180)
    _served(second, volunteer, 150)
    _served(third, volunteer, 90, confirmed=False)  # not confirmed: not counted anywhere
    make.commit()
    assert confirmed_minutes(volunteer.id) == 330
    english(client)
    auth.login(volunteer)
    home = client.get("/home").get_data(as_text=True)
    mine = client.get("/me/hours").get_data(as_text=True)
    on_home = re.search(
        r'<span class="number">([0-9.]+)</span>\s*<span class="label">Confirmed hours', home
    )
    on_mine = re.search(
        r'<span class="number">([0-9.]+)</span><span class="label">confirmed hours', mine
    )
    assert on_home and on_mine, (home[-3000:], mine[:3000])
    assert on_home.group(1) == on_mine.group(1) == "5.5"
