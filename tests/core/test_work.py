"""The unit of work: one commit per use case, everything undone on a refusal or a race."""

import pytest
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.places.models import Community
from coordinator.rules import Refused
from coordinator.work import Conflict, unit_of_work, update_where


def _communities():
    return db.session.scalar(select(func.count()).select_from(Community))


def test_a_refusal_after_partial_changes_leaves_nothing(make):
    sub = make.subdistrict()
    db.session.commit()
    with pytest.raises(Refused):
        with unit_of_work():
            db.session.add(Community(subdistrict=sub, name="甲"))
            db.session.flush()
            raise Refused("no")
    assert _communities() == 0


def test_nested_blocks_commit_once_at_the_outside(make):
    sub = make.subdistrict()
    db.session.commit()
    with pytest.raises(Refused):
        with unit_of_work():
            with unit_of_work():
                db.session.add(Community(subdistrict=sub, name="乙"))
            assert db.session().in_transaction()  # the inner block did not commit
            raise Refused("later step said no")
    assert _communities() == 0


def test_a_taken_unique_key_is_a_409_with_the_callers_words(make):
    sub = make.subdistrict()
    db.session.add(Community(subdistrict=sub, name="丙"))
    db.session.commit()
    with pytest.raises(Refused) as refused:
        with unit_of_work(conflict="taken", field="name"):
            db.session.add(Community(subdistrict=sub, name="丙"))
    assert (refused.value.status, refused.value.message, refused.value.field) == (
        409,
        "taken",
        "name",
    )
    assert _communities() == 1


def test_a_conditional_write_on_a_changed_row_is_a_conflict(make):
    row = make.community(name="丁")
    db.session.commit()
    with unit_of_work():
        update_where(Community, row.id, {"name": "丁"}, name="戊")
    with pytest.raises(Conflict):
        with unit_of_work():
            update_where(Community, row.id, {"name": "丁"}, name="己")
    db.session.expire_all()
    assert db.session.get(Community, row.id).name == "戊"
