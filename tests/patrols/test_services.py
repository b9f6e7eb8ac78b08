"""The patrol's use cases without HTTP: the checklist per kind of place, arriving once,
a problem becoming a case in the same unit of work as its check, leaving once."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from coordinator.cases.models import Case, CaseEvent
from coordinator.extensions import db
from coordinator.patrols import services
from coordinator.patrols.checklist import ITEMS, items_for
from coordinator.patrols.models import Patrol, PatrolCheck, PatrolVisit
from coordinator.rules import Refused
from coordinator.uploads.models import Photo
from tests.patrols.conftest import jpeg


def upload(data: bytes, name="p.jpg") -> FileStorage:
    import io

    return FileStorage(io.BytesIO(data), filename=name, content_type="image/jpeg")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def codes(**facts) -> set[str]:
    return {item.code for item in items_for(SimpleNamespace(**facts))}


def test_the_checklist_depends_on_the_kind_of_place_and_its_attributes():
    everything = {item.code for item in ITEMS}
    compound = codes(kind="compound", has_bike_shed=True, many_trees=True)
    assert compound == everything - {"pavement_business"}
    assert "bike_shed" not in codes(kind="compound", has_bike_shed=False, many_trees=False)
    assert "trees" in codes(kind="compound", has_bike_shed=False, many_trees=False)
    bungalow = codes(kind="bungalow", has_bike_shed=False, many_trees=True)
    assert {"illegal_structures", "charging_cables", "trees"} <= bungalow
    assert "bike_shed" not in bungalow and "pavement_business" not in bungalow
    business = codes(kind="business", has_bike_shed=False, many_trees=False)
    assert business == {
        "fire_lanes",
        "manholes",
        "street_lights",
        "flyposting",
        "rubbish",
        "pavement_business",
        "potholes",
    }
    # A business among many trees gets the trees too.
    assert "trees" in codes(kind="business", has_bike_shed=False, many_trees=True)


def test_arriving_makes_the_days_patrol_and_a_visit_once(place):
    first = services.arrive(place.worker, place.grid, place.compound.id)
    again = services.arrive(place.worker, place.grid, place.compound.id)
    assert first.id == again.id
    services.arrive(place.worker, place.grid, place.bungalow.id)
    assert count(Patrol) == 1 and count(PatrolVisit) == 2
    patrol = db.session.scalar(select(Patrol))
    assert patrol.community_id == place.community.id and patrol.worker_id == place.worker.id


def test_the_day_is_the_beijing_date(place):
    # 2026-12-01 17:30 UTC is 2 Dec 01:30 in Beijing.
    services.arrive(place.worker, place.grid, place.compound.id, now=datetime(2026, 12, 1, 17, 30))
    assert db.session.scalar(select(Patrol.day)).isoformat() == "2026-12-02"


def test_ok_is_one_tap_and_no_case(place):
    visit = services.arrive(place.worker, place.grid, place.compound.id)
    row = services.check(place.worker, visit, "manholes", True)
    assert row.ok and row.case_id is None and count(Case) == 0


def test_a_problem_becomes_a_case_already_filled_in(place):
    visit = services.arrive(place.worker, place.grid, place.compound.id)
    row = services.check(
        place.worker, visit, "street_lights", False, " 5号楼路灯不亮 ", upload(jpeg())
    )
    case = db.session.get(Case, row.case_id)
    assert case.channel == "patrol" and case.category == "electrics"
    assert case.compound_id == place.compound.id and case.community_id == place.community.id
    assert "5号楼路灯不亮" in case.description and row.note == "5号楼路灯不亮"
    assert case.reporter_name == "王伟" and case.created_by_id == place.worker.id
    assert case.status == "received"
    photos = db.session.scalars(select(Photo).filter_by(owner_type="case", owner_id=case.id))
    assert len(list(photos)) == 1
    # Logged like every other case: the trail begins with "opened".
    assert db.session.scalar(select(CaseEvent.action).filter_by(case_id=case.id)) == "opened"


def test_a_problem_needs_a_note(place):
    visit = services.arrive(place.worker, place.grid, place.compound.id)
    with pytest.raises(Refused) as refused:
        services.check(place.worker, visit, "flyposting", False, "  ", upload(jpeg()))
    assert refused.value.field == "note" and refused.value.status == 422
    assert count(PatrolCheck) == 0 and count(Case) == 0 and count(Photo) == 0


def test_a_photo_refused_leaves_neither_check_nor_case(place):
    visit = services.arrive(place.worker, place.grid, place.compound.id)
    with pytest.raises(Refused) as refused:
        services.check(place.worker, visit, "flyposting", False, "小广告", upload(b"not a photo"))
    assert refused.value.field == "photo"
    assert count(PatrolCheck) == 0 and count(Case) == 0 and count(Photo) == 0


def test_a_refusal_after_the_case_is_written_undoes_the_case(place, monkeypatch):
    """The same unit of work: the photo fails while it is stored, after the case's INSERT."""
    import coordinator.uploads.services as uploads

    def broken(*args, **kwargs):
        raise Refused("disk full", field="photo", status=422)

    monkeypatch.setattr(uploads, "save_photo", broken)
    visit = services.arrive(place.worker, place.grid, place.compound.id)
    with pytest.raises(Refused):
        services.check(place.worker, visit, "rubbish", False, "垃圾堆", upload(jpeg()))
    db.session.rollback()
    assert count(PatrolCheck) == 0 and count(Case) == 0 and count(Photo) == 0


def test_sending_a_problem_twice_makes_one_case(place):
    visit = services.arrive(place.worker, place.grid, place.compound.id)
    first = services.check(place.worker, visit, "potholes", False, "坑", upload(jpeg()))
    again = services.check(place.worker, visit, "potholes", False, "坑", upload(jpeg()))
    assert first.id == again.id and count(Case) == 1 and count(PatrolCheck) == 1


def test_an_item_not_on_the_checklist_is_refused(place):
    visit = services.arrive(place.worker, place.grid, place.business.id)
    for code in ("bike_shed", "illegal_structures", "nonsense"):
        with pytest.raises(Refused) as refused:
            services.check(place.worker, visit, code, True)
        assert refused.value.field == "item"
    assert count(PatrolCheck) == 0


def test_leaving_records_the_time_on_site_once(place):
    t = datetime(2026, 12, 1, 1, 0)
    visit = services.arrive(place.worker, place.grid, place.compound.id, now=t)
    left = services.leave(place.worker, visit, now=t + timedelta(minutes=18))
    assert left.minutes == 18
    with pytest.raises(Refused) as refused:
        services.leave(place.worker, left, now=t + timedelta(minutes=30))
    assert refused.value.status == 409
    assert db.session.get(PatrolVisit, visit.id).left_at == t + timedelta(minutes=18)
    assert db.session.scalar(select(Patrol.finished_at)) == t + timedelta(minutes=18)
    # Checks are closed once left.
    with pytest.raises(Refused) as refused:
        services.check(place.worker, left, "manholes", True)
    assert refused.value.status == 409
