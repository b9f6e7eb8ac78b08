"""The state machine: the table, roles, scope, SLA, and a property-based walk."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from coordinator.cases import workflow
from coordinator.cases.models import Case, CaseEvent
from coordinator.extensions import db
from coordinator.rules import Refused

DIAGRAM = {  # DOMAIN.md's arrows, as (from, to)
    ("received", "void"),
    ("received", "dispatched"),
    ("dispatched", "returned"),
    ("returned", "dispatched"),
    ("dispatched", "accepted"),
    ("accepted", "in_progress"),
    ("in_progress", "extended"),
    ("extended", "in_progress"),
    ("in_progress", "parked"),
    ("parked", "in_progress"),
    ("in_progress", "handled"),
    ("extended", "handled"),
    ("handled", "verified"),
    ("handled", "in_progress"),
    ("verified", "callback"),
    ("callback", "closed"),
    ("verified", "closed"),
    ("verified", "reopened"),
    ("callback", "reopened"),
    ("reopened", "dispatched"),
    ("reopened", "in_progress"),
    ("returned", "void"),
    # Issue 12: the office recalls a job no team has accepted yet (reassigning it to another
    # team is a step from dispatched to dispatched).
    ("dispatched", "received"),
}


def test_table_follows_the_diagram():
    moves = {
        (src, rule.to)
        for (src, action), rule in workflow.TABLE.items()
        if src != rule.to and action != "settle_by_event"
    }
    assert moves == DIAGRAM
    # An event finished settles the open cases it handled (campaigns.models.CaseEventLink).
    settled = {src for (src, action) in workflow.TABLE if action == "settle_by_event"}
    assert settled == set(workflow.OPEN)
    assert {workflow.TABLE[(s, "settle_by_event")].roles for s in settled} == {
        frozenset({workflow.SYSTEM})
    }
    assert set(workflow.STATUSES) == {s for pair in DIAGRAM for s in pair}


def test_accept_starts_the_sla_clock_by_tier(world, app):
    for tier, hours in (("emergency", 2), ("utilities", 24), ("general", 168), ("complex", 360)):
        case = world.case("dispatched", tier=tier)
        workflow.transition(case, "accept", world.lead)
        assert case.due_at - case.accepted_at == timedelta(hours=hours)


def test_sla_hours_come_from_config(world, app):
    app.config["CASE_SLA_HOURS"] = {"emergency": 1}
    try:
        case = world.case("dispatched", tier="emergency")
        workflow.transition(case, "accept", world.lead)
        assert case.due_at - case.accepted_at == timedelta(hours=1)
    finally:
        app.config["CASE_SLA_HOURS"] = {}


def test_illegal_transition_is_409_and_changes_nothing(world):
    case = world.case("received")
    before = (case.status, case.team_id, case.due_at, len(case.events))
    with pytest.raises(Refused) as refused:
        workflow.transition(case, "handle", world.worker)
    assert refused.value.status == 409
    db.session.commit()
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert (case.status, case.team_id, case.due_at, len(case.events)) == before


def test_wrong_role_and_wrong_team_are_refused(world):
    case = world.case("dispatched")
    with pytest.raises(Refused) as refused:
        workflow.transition(case, "accept", world.staff)
    assert refused.value.status == 403
    with pytest.raises(Refused) as refused:
        workflow.transition(case, "accept", world.other_worker)
    assert refused.value.status == 403
    with pytest.raises(Refused):
        workflow.transition(world.case("received"), "void", world.other_staff, "x")
    assert case.status == "dispatched"


def test_a_reason_is_needed_to_return(world):
    case = world.case("dispatched")
    with pytest.raises(Refused) as refused:
        workflow.transition(case, "return", world.lead, "  ")
    assert refused.value.status == 422 and refused.value.field == "note"
    assert case.status == "dispatched"


def test_overdue_only_while_on_the_clock(world):
    case = world.case("in_progress")
    later = case.due_at + timedelta(minutes=1)
    assert case.is_overdue(later)
    assert workflow.status_tone(case, later) == "red"
    case = world.case("handled")
    assert not case.is_overdue(case.due_at + timedelta(days=30))


ACTIONS = sorted(workflow.ACTIONS)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.sampled_from(["staff", "admin", "lead", "worker", "other_worker", "other_staff"]),
            st.sampled_from(["", "原因"]),
        ),
        max_size=25,
    )
)
def test_any_sequence_leaves_a_legal_state_and_a_complete_trail(world, steps):
    case = world.case("received")
    applied = 0
    for action, who, note in steps:
        before = case.status
        try:
            workflow.transition(case, action, getattr(world, who), note, team_id=world.team.id)
        except Refused as refused:
            assert refused.status in (403, 409, 422)
            assert case.status == before
            continue
        applied += 1
        assert (before, action) in workflow.TABLE
        db.session.commit()
    db.session.expire_all()
    events = list(
        db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
    )
    case = db.session.get(Case, case.id)
    assert case.status in workflow.STATUSES
    assert len(events) == applied + 1  # the "logged" line, then one per applied action
    assert events[0].from_status is None and events[0].to_status == "received"
    for prev, nxt in zip(events, events[1:], strict=False):
        assert nxt.from_status == prev.to_status
        assert (nxt.from_status, nxt.action) in workflow.TABLE
        assert nxt.actor_id is not None and nxt.at >= prev.at
    assert events[-1].to_status == case.status
    if case.status in workflow.ON_THE_CLOCK:
        assert case.due_at is not None and case.team_id is not None
