"""Use cases without HTTP: assert on the database."""

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from coordinator.cases import job_links, matching, queries, services, workflow
from coordinator.cases.models import Callback, Case, CaseEvent, CaseLink, Notice, Visit
from coordinator.extensions import db
from coordinator.notifications.models import OutboxMessage
from coordinator.rules import Refused
from coordinator.uploads.models import Photo
from tests.uploads.images import fake_pdf, jpeg_with_gps, upload


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_open_case_starts_the_trail(world):
    case = services.open_case(world.staff, world.case_data(), [upload(jpeg_with_gps())])
    assert case.status == "received" and len(case.tracking_token) >= 20
    assert [e.action for e in case.events] == ["opened"]
    assert count(Photo) == 1


def test_place_pickers_must_agree(world, make):
    elsewhere = make.compound(make.community(), "别处")
    make.commit()
    with pytest.raises(Refused) as refused:
        services.open_case(
            world.staff,
            world.case_data(compound_id=elsewhere.id, building_id=None, entrance_id=None),
        )
    assert refused.value.field == "compound_id"
    with pytest.raises(Refused) as refused:
        services.open_case(world.staff, world.case_data(compound_id=None))
    assert refused.value.field == "compound_id"
    assert count(Case) == 0


def test_staff_log_in_their_own_community_only(world):
    with pytest.raises(Refused) as refused:
        services.open_case(world.other_staff, world.case_data())
    assert refused.value.field == "community_id" and count(Case) == 0


def test_hotline_case_needs_its_ticket(world):
    with pytest.raises(Refused) as refused:
        services.open_case(world.staff, world.case_data(channel="hotline_12345"))
    assert refused.value.field == "hotline_ticket"
    case = services.open_case(
        world.staff, world.case_data(channel="hotline_12345", hotline_ticket="BJ2611170042")
    )
    assert case.hotline_ticket == "BJ2611170042"


def test_a_bad_photo_saves_nothing(world):
    with pytest.raises(Refused) as refused:
        services.open_case(
            world.staff,
            world.case_data(),
            [upload(jpeg_with_gps()), upload(fake_pdf(), "scan.jpg")],
        )
    assert refused.value.field == "photos"
    assert count(Case) == 0 and count(Photo) == 0 and count(CaseEvent) == 0


def test_public_report_is_online_and_general(world):
    case = services.report_case(world.case_data(channel="hotline_12345", tier="emergency"))
    assert (case.channel, case.tier, case.created_by_id) == ("online", "general", None)
    assert case.events[0].actor_name == "李阿姨"


def test_matching_ranks_with_reasons(world, make):
    named = make.team("点名小区队", skills=("drain",), compounds=[world.compound], capacity=2)
    make.team("无技能队", skills=("trees",), communities=[world.community])
    make.team("不覆盖队", skills=("drain",), communities=[make.community()])
    full = make.team("满员队", skills=("drain",), communities=[world.community], capacity=1)
    make.commit()
    services.dispatch(world.staff, world.case("received"), full.id)
    case = world.case("received")
    ranked = matching.suggest(case)
    names = [s.team.name for s in ranked]
    assert names[0] == "点名小区队"
    assert set(names) == {"点名小区队", "北京首华物业管理有限公司", "别的队"}
    top = ranked[0]
    assert top.team.id == named.id
    assert any("红联北村" in r for r in top.reasons)
    assert any("0 of 2" in r for r in top.reasons)


def test_matching_uses_the_track_record(world):
    done = world.case("closed")
    assert done.team_id == world.team.id
    services.record_callback(
        world.staff,
        world.case("callback"),
        dict(contacted="yes", solved="yes", satisfaction="satisfied"),
    )
    facts = {f.id: f for f in matching.fetch_facts(matching.need_of(world.case("received")))}
    mine = facts[world.team.id]
    assert mine.satisfaction == 1.0 and mine.rated == 1
    assert mine.median_hours is not None
    assert mine.open_jobs == 0


def test_a_team_that_returned_the_case_goes_last(world):
    case = world.case("returned")
    ranked = matching.suggest(case)
    assert ranked[-1].team.id == world.team.id and ranked[-1].returned_before


def test_dispatch_texts_the_lead_in_the_same_transaction(world):
    case = world.case("received")
    services.dispatch(world.staff, case, world.team.id, "请尽快")
    assert case.status == "dispatched" and case.team_id == world.team.id
    msg = db.session.scalar(select(OutboxMessage))
    assert msg.kind == "case_dispatched" and msg.recipient == world.lead.phone
    assert (msg.subject_type, msg.subject_id) == ("case", case.id)


def test_dispatch_refuses_a_team_without_the_skill(world, make):
    trees = make.team("园林", skills=("trees",), communities=[world.community])
    make.commit()
    case = world.case("received")
    with pytest.raises(Refused) as refused:
        services.dispatch(world.staff, case, trees.id)
    assert refused.value.field == "team_id"
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "received"
    assert count(OutboxMessage) == 0


def test_dispatch_refuses_a_team_that_does_not_cover_the_place(world, make):
    """It was possible, and that team's lead got the text."""
    elsewhere = make.team("别处的队", skills=("drain",), communities=[make.community()], members=1)
    other_compound = make.team(
        "别的小区的队", skills=("drain",), compounds=[make.compound(world.community)], members=1
    )
    make.commit()
    case = world.case("received")
    for team in (elsewhere, other_compound):
        with pytest.raises(Refused) as refused:
            services.dispatch(world.admin, case, team.id)
        assert refused.value.field == "team_id" and refused.value.status == 422
        assert "does not cover" in str(refused.value.message)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "received"
    assert count(OutboxMessage) == 0 and count(CaseEvent) == 1


def test_the_picker_offers_only_teams_that_may_take_the_case(world, make):
    named = make.team("点名本小区队", skills=("drain",), compounds=[world.compound])
    make.team("别处的队", skills=("drain",), communities=[make.community()])
    make.team("别的小区的队", skills=("drain",), compounds=[make.compound(world.community)])
    make.team("无技能队", skills=("trees",), communities=[world.community])
    gone = make.team("停用队", skills=("drain",), communities=[world.community])
    gone.active = False
    make.commit()
    offered = {name for _id, name in queries.team_options(world.case("received"))}
    assert offered == {named.name, world.team.name, world.other_team.name}


def test_two_visits_then_done(world):
    case = world.case("accepted")
    services.add_visit(
        world.worker,
        case,
        {"found": "清理了室外井，卫生间通了，厨房仍堵", "another_needed": True},
        [upload(jpeg_with_gps())],
    )
    assert case.status == "in_progress"
    services.add_visit(world.worker, case, {"found": "主管道疏通", "another_needed": False})
    with pytest.raises(Refused) as refused:
        services.finish(world.worker, case, {"root_cause": "头发"}, None)
    assert refused.value.field == "after_photo"
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "in_progress"
    services.finish(
        world.worker,
        case,
        {"root_cause": "头发、塑料袋", "follow_up": "日常维护"},
        upload(jpeg_with_gps(), "after.jpg"),
    )
    assert case.status == "handled" and case.root_cause == "头发、塑料袋"
    assert count(Visit) == 2
    assert db.session.scalar(select(Photo.kind).where(Photo.owner_type == "case")) == "after"
    actions = [e.action for e in case.events]
    assert actions.count("visit") == 2 and "revisit" in actions and actions[-1] == "handle"


def test_reveal_phone_is_logged(world):
    case = world.case("accepted")
    assert services.reveal_phone(world.worker, case) == "13912345678"
    event = case.events[-1]
    assert event.action == "reveal_phone" and event.actor_id == world.worker.id


def test_job_link_opens_one_job_until_closed(world, app):
    case = world.case("dispatched")
    token = job_links.job_link_token(case)
    found, guest = job_links.read_job_link(token)
    assert found.id == case.id and guest.team_id == world.team.id
    with pytest.raises(Refused) as refused:
        job_links.read_job_link(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert refused.value.status == 403
    forged = URLSafeTimedSerializer("not-the-key", salt="case-job-link").dumps(
        {"c": case.id, "t": world.team.id, "p": "job"}
    )
    with pytest.raises(Refused):
        job_links.read_job_link(forged)
    app.config["CASE_LINK_MAX_AGE"] = -1
    try:
        with pytest.raises(Refused) as refused:
            job_links.read_job_link(token)
        assert "expired" in str(refused.value.message)
    finally:
        app.config["CASE_LINK_MAX_AGE"] = 3 * 86400
    services.act(guest, found, "accept")
    services.act(guest, found, "start")
    services.finish(guest, found, {"root_cause": "x"}, upload(jpeg_with_gps()))
    services.verify(world.staff, found, True)
    with pytest.raises(Refused):  # verified: the link is closed
        job_links.read_job_link(token)


def test_send_link_queues_a_text_and_logs(world):
    case = world.case("dispatched")
    url = services.send_job_link(world.staff, case, "13900000099")
    assert "/j/" in url
    msg = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "case_link"))
    assert url in msg.body and msg.recipient == "13900000099"
    assert case.events[-1].action == "link_sent"


def test_links_and_notice(world):
    a, b = world.case("received"), world.case("in_progress")
    services.link_cases(world.staff, a, b.id, "same_root_cause")
    with pytest.raises(Refused):
        services.link_cases(world.staff, a, a.id, "duplicate_of")
    with pytest.raises(Refused):
        services.link_cases(world.staff, a, b.id, "same_root_cause")
    assert count(CaseLink) == 1
    notice = services.create_notice(
        world.staff, b, {"entrance_id": None, "floors": "2-6", "extra": ""}
    )
    assert b.affects_building and "3号楼" in notice.title and "2-6" in notice.text
    assert count(Notice) == 1 and b.events[-1].action == "notice"


def test_verify_fail_goes_back_to_work(world):
    case = world.case("handled")
    with pytest.raises(Refused):
        services.verify(world.staff, case, False, "")
    services.verify(world.staff, case, False, "厨房仍然慢")
    assert case.status == "in_progress"


def test_verify_pass_asks_the_resident(world):
    case = world.case("handled")
    services.verify(world.staff, case, True)
    assert case.status == "callback"
    msg = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "case_callback"))
    assert case.tracking_token in msg.body and msg.recipient == "13912345678"


@pytest.mark.parametrize(
    "answer,status", [("satisfied", "closed"), ("basically", "closed"), ("not", "reopened")]
)
def test_callback_closes_or_reopens(world, answer, status):
    case = world.case("callback")
    services.record_callback(
        services.resident(case),
        case,
        {"contacted": "yes", "solved": "yes", "satisfaction": answer},
        by_resident=True,
    )
    assert case.status == status
    cb = db.session.scalar(select(Callback))
    assert cb.by_resident and cb.team_id == world.team.id and cb.satisfaction == answer


def test_callback_before_verification_is_409(world):
    case = world.case("handled")
    with pytest.raises(Refused) as refused:
        services.record_callback(
            world.staff, case, {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied"}
        )
    assert refused.value.status == 409 and count(Callback) == 0


def test_board_scopes_pins_and_filters(world, make):
    new = world.case("received")
    late = world.case("in_progress")
    late.due_at -= timedelta(days=30)
    other_place = make.compound(make.community(), "别处")
    make.commit()
    elsewhere = services.open_case(
        world.admin,
        world.case_data(
            community_id=other_place.community_id,
            compound_id=other_place.id,
            building_id=None,
            entrance_id=None,
        ),
    )
    data = queries.board(world.staff, {}, 1, 25)
    assert [c.id for c in data["pinned"]["new"]] == [new.id]
    assert [c.id for c in data["pinned"]["overdue"]] == [late.id]
    assert elsewhere.id not in [c.id for c in data["page"].items]
    admin = queries.board(world.admin, {"community": other_place.community_id}, 1, 25)
    assert [c.id for c in admin["page"].items] == [elsewhere.id]
    found = queries.board(world.staff, {"q": "反水"}, 1, 25)
    assert {c.id for c in found["page"].items} == {new.id, late.id}
    assert [
        c.id for c in queries.board(world.staff, {"status": "overdue"}, 1, 25)["page"].items
    ] == [late.id]


def test_team_record(world):
    world.case("closed")
    world.case("in_progress")
    record = queries.team_record(world.team.id)
    assert record["open"] == 1 and record["done"] == 1 and record["satisfaction"] is None
    assert record["resolve_hours"] is not None


def test_demo_tells_the_story_once(app):
    from coordinator.cases import demo
    from coordinator.demo import story

    story.load()
    demo.load()
    db.session.commit()
    li = db.session.scalar(select(Case).where(Case.tracking_token == "demo-li-drain"))
    assert li.status == "closed" and len(li.visits) == 2 and li.notices
    assert li.root_cause == "头发、塑料袋碎片、无纺布消毒巾、口罩"
    assert li.callbacks[0].satisfaction == "satisfied"
    sun = db.session.scalar(select(Case).where(Case.tracking_token == "demo-sun-bikes"))
    assert sun.category == "bikes" and sun.channel == "patrol"
    before = (count(Case), count(CaseEvent), count(Visit), count(Callback))
    assert before[0] >= 14
    demo.load()
    db.session.commit()
    assert (count(Case), count(CaseEvent), count(Visit), count(Callback)) == before
    communities = db.session.scalar(select(func.count(func.distinct(Case.community_id))))
    assert communities == 6


def test_board_partial_index_sql_matches_the_workflow():
    """The partial indexes' literal SQL must name the same statuses as the workflow's sets."""
    import re

    from coordinator.cases.models import ON_THE_CLOCK_SQL, OPEN_SQL

    def named(sql):
        return set(re.findall(r"'(\w+)'", sql))

    assert named(OPEN_SQL) == set(workflow.FINAL) and "NOT IN" in OPEN_SQL
    assert named(ON_THE_CLOCK_SQL) == set(workflow.ON_THE_CLOCK)
