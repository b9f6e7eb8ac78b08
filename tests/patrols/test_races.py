"""Patrol buttons pressed many times at once over real HTTP (tests/live.py): one visit, one
check and one case, one departure."""

from sqlalchemy import func, select

from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.patrols.models import Patrol, PatrolCheck, PatrolVisit


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_many_taps_make_one_visit_one_case_one_departure(place, live):
    cookie = live.login(place.worker.phone)
    start = {"grid_id": place.grid.id, "compound_id": place.compound.id}
    answers = live.burst(6, lambda i: live.post("/patrols/visits", start, cookie=cookie))
    assert {a.status for a in answers} == {303}
    assert count(Patrol) == 1 and count(PatrolVisit) == 1
    vid = db.session.scalar(select(PatrolVisit.id))
    problem = {"item": "flyposting", "result": "problem", "note": "小广告贴满单元门"}
    answers = live.burst(
        6, lambda i: live.post(f"/patrols/visits/{vid}/checks", problem, cookie=cookie)
    )
    assert {a.status for a in answers} == {303}
    assert count(PatrolCheck) == 1 and count(Case) == 1
    answers = live.burst(4, lambda i: live.post(f"/patrols/visits/{vid}/leave", cookie=cookie))
    assert sorted(a.status for a in answers) == [303, 409, 409, 409]
