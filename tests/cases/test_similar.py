"""Similar cases: the lookup (place, category, words, window, scope, bounded work) and joining
a new report to an open case in one unit of work."""

from datetime import timedelta

import pytest
from rapidfuzz import fuzz, utils
from sqlalchemy import func, select

from coordinator.cases import services, similar
from coordinator.cases.models import Case, CaseEvent, CaseLink
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications.models import OutboxMessage
from coordinator.rules import Refused
from tests.cases.conftest import walk


def lookup(actor, world, **kw):
    args = dict(
        compound_id=world.compound.id,
        building_id=world.building.id,
        category="drain",
        description="",
    )
    args.update(kw)
    return similar.find(actor, **args)


def aged(case, days):
    case.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return case


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- the scorer


@pytest.mark.parametrize(
    "a,b,alike",
    [
        ("厨房下水道反水", "下水道堵了反味", True),
        ("厨房下水道反水", "厨房下水道堵塞", True),
        ("楼道灯不亮", "3单元楼道灯坏了，晚上看不见", True),
        ("暖气不热", "家里暖气片不热已经三天了", True),
        ("厨房下水道反水", "楼道灯不亮", False),
        ("楼道灯不亮", "楼道很脏没人扫", False),
        ("下水道堵了", "路面积水", False),
    ],
)
def test_the_scorer_reads_chinese_by_characters(app, a, b, alike):
    """No spaces between Chinese words: the score must come from the characters."""
    score = fuzz.WRatio(a, b, processor=utils.default_process)
    assert (score >= app.config["CASE_SIMILAR_TEXT_SCORE"]) is alike, score


# ---------------------------------------------------------------- the lookup


def test_same_building_and_category(world, make):
    same = world.case(description="厨房下水道反水")
    world.case(category="electrics", description="楼道灯不亮")  # another kind: not similar
    found = lookup(world.staff, world)
    assert [m.id for m in found] == [same.id]
    assert found[0].reasons == {"building"}
    assert found[0].why == ["Same building, same category"]
    assert found[0].place == "红联北村 3号楼" and found[0].status == "received"


def test_same_compound_other_building(world, make):
    other = make.building(world.compound, "4号楼")
    make.commit()
    there = world.case(building_id=other.id, entrance_id=None)
    found = lookup(world.staff, world)
    assert [(m.id, m.reasons) for m in found] == [(there.id, {"compound"})]
    # Without a building chosen, the compound's cases match as the compound's.
    assert [m.reasons for m in lookup(world.staff, world, building_id=None)] == [{"compound"}]


def test_alike_words_in_another_category(world):
    leak = world.case(category="plumbing", description="下水道堵了反味")
    world.case(category="electrics", description="楼道灯不亮")
    found = lookup(world.staff, world, description="厨房下水道反水")
    assert [m.id for m in found] == [leak.id]
    assert found[0].reasons == {"text"} and found[0].why[0].startswith("Similar description (")
    both = world.case(description="厨房下水道堵塞")
    found = lookup(world.staff, world, description="厨房下水道反水")
    assert found[0].id == both.id and found[0].reasons == {"building", "text"}


def test_window_open_and_void(world, app):
    old_open = aged(world.case("dispatched"), 200)  # open however old
    aged(world.case("closed"), app.config["CASE_SIMILAR_DAYS"] + 1)  # closed, out of the window
    recent_closed = aged(world.case("closed"), 30)
    world.case("void")  # never
    found = lookup(world.staff, world)
    assert {m.id for m in found} == {old_open.id, recent_closed.id}
    assert [m.id for m in found] == [recent_closed.id, old_open.id]  # newest first


def test_the_case_itself_is_left_out(world):
    case = world.case()
    other = world.case()
    assert [m.id for m in similar.for_case(world.staff, case)] == [other.id]


def test_scope_staff_see_their_community_only(world, make):
    world.case()
    assert lookup(world.other_staff, world) == []  # another community's staff
    assert len(lookup(world.admin, world)) == 1
    assert lookup(world.worker, world) == []  # a team sees its own jobs only: none dispatched


def test_a_handful_strongest_kept_newest_first(world, app, make):
    other = make.building(world.compound, "4号楼")
    make.commit()
    mine = [aged(world.case(), 10 + i) for i in range(6)]
    aged(world.case(building_id=other.id, entrance_id=None), 1)  # newer, weaker
    found = lookup(world.staff, world)
    assert len(found) == app.config["CASE_SIMILAR_SHOWN"] == 5
    assert [m.id for m in found] == [c.id for c in mine[:5]]


def test_bad_places_find_nothing(world):
    world.case()
    assert lookup(world.staff, world, compound_id=None) == []
    assert lookup(world.staff, world, compound_id=-1) == []
    assert lookup(world.staff, world, building_id=-1) == []
    assert lookup(world.staff, world, category=None) == []


def test_public_sees_place_and_category_only(world):
    case = world.case()
    world.case(category="plumbing", description="厨房下水道反水")  # words are not compared
    place = dict(compound_id=world.compound.id, building_id=world.building.id)
    found = similar.find(None, category="drain", description="厨房下水道反水", public=True, **place)
    assert [m.id for m in found] == [case.id]
    assert found[0].public_status == "Reported, waiting for a team"


@pytest.mark.parametrize("text", ["", "厨房下水道反水"])
def test_one_statement_whatever_the_data(world, count_queries, text):
    def run():
        args = dict(compound_id=world.compound.id, building_id=world.building.id)
        staff = world.staff
        assert staff.role and staff.community_id  # loaded before counting: only the lookup's
        with count_queries() as counted:
            found = similar.find(staff, category="drain", description=text, **args)
        return counted.count, found

    world.case()
    few, _found = run()
    for i in range(40):
        world.case(description=f"厨房下水道反水{i}", category=("drain", "plumbing")[i % 2])
    many, found = run()
    assert few == many == 1
    assert len(found) == 5


# ---------------------------------------------------------------- joining


def test_duplicate_is_saved_linked_and_voided_in_one_go(world):
    original = world.case("dispatched")
    data = world.case_data(reporter_name="王大爷", reporter_phone="13700001111")
    case = services.open_case(world.staff, data, joins=("duplicate_of", original.id))
    db.session.expire_all()
    assert case.status == "void" and case.team_id is None
    assert case.reporter_name == "王大爷"  # the reporter's details are kept
    link = db.session.scalar(select(CaseLink).where(CaseLink.case_id == case.id))
    assert (link.other_id, link.kind) == (original.id, "duplicate_of")
    void = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "void")
    )
    assert void.note == f"Duplicate of #{original.id}: handled there."
    assert db.session.scalar(
        select(CaseEvent.note).where(
            CaseEvent.case_id == original.id, CaseEvent.action == "link"
        )
    ) == f"Linked from #{case.id}"  # fmt: skip
    assert [c.id for c in services.followers(original)] == [case.id]


def test_same_root_cause_joins_too(world):
    original = world.case()
    case = services.open_case(
        world.staff, world.case_data(), joins=("same_root_cause", original.id)
    )
    assert case.status == "void"
    assert db.session.scalar(select(CaseLink.kind)) == "same_root_cause"


@pytest.mark.parametrize(
    "make_other,kind,message",
    [
        (lambda w: w.case("closed").id, "duplicate_of", "is closed: save this as a new case."),
        (lambda w: 999999, "duplicate_of", "No such case to join here."),
        (lambda w: w.case().id, "copy_of", "Choose how the cases are linked."),
    ],
)
def test_refused_joins_save_nothing(world, make_other, kind, message):
    other_id = make_other(world)
    before = count(Case), count(CaseEvent)
    with pytest.raises(Refused) as refused:
        services.open_case(world.staff, world.case_data(), joins=(kind, other_id))
    assert message in str(refused.value.message) and refused.value.field == "join"
    assert (count(Case), count(CaseEvent)) == before and count(CaseLink) == 0


def test_staff_cannot_join_another_communitys_case(world, make):
    elsewhere = make.compound(world.other_staff.community, "别处")
    make.commit()
    theirs = services.open_case(
        world.other_staff,
        world.case_data(
            community_id=world.other_staff.community_id,
            compound_id=elsewhere.id,
            building_id=None,
            entrance_id=None,
        ),
    )
    with pytest.raises(Refused):
        services.open_case(world.staff, world.case_data(), joins=("duplicate_of", theirs.id))
    assert count(CaseLink) == 0


def test_a_resident_follows_only_what_report_showed(world):
    original = world.case()
    resident = dict(world.case_data(), reporter_name="居民甲", reporter_phone="13600002222")
    case = services.report_case(resident, follows=original.id)
    assert case.status == "received"  # the office confirms it (one tap on the case page)
    assert db.session.scalar(select(CaseLink.other_id)) == original.id
    # A case at another building is not one /report offered here: refused, nothing saved.
    elsewhere = world.case(category="electrics")
    before = count(Case)
    with pytest.raises(Refused):
        services.report_case(dict(resident, submission_key=""), follows=elsewhere.id)
    assert count(Case) == before


def test_followers_are_texted_when_the_job_is_handled(world):
    original = world.case("handled")
    joined = services.open_case(
        world.staff,
        world.case_data(reporter_phone="13700001111"),
        joins=("duplicate_of", original.id),
    )
    own_job = world.case("dispatched", reporter_phone="13700002222")  # linked, worked on its own
    services.link_cases(world.staff, own_job, original.id, "same_root_cause")
    services.verify(world.staff, original, True)
    texts = {m.recipient: m.body for m in db.session.scalars(select(OutboxMessage))}
    assert "13700002222" not in texts  # it has its own call-back
    assert f"#{joined.id}" in texts["13700001111"] and "/track/" in texts["13700001111"]
    assert "13912345678" in texts  # the original's resident, asked for the call-back as before


def test_the_join_is_walked_back_with_everything(world):
    """A refusal after the case was added (the void fails) leaves nothing."""
    original = world.case()
    walk(original, "received", world)
    before = count(Case)
    with pytest.raises(Refused):
        services.open_case(world.worker, world.case_data(), joins=("duplicate_of", original.id))
    assert count(Case) == before and count(CaseLink) == 0
