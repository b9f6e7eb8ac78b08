"""Every case of the whole demo story has a trail in time order (issue 12: the demo accepted
cases before dispatching them, and the team page showed a median of -59.5 hours to accept)."""

from sqlalchemy import select

from coordinator.cases import queries, records
from coordinator.cases.models import Case, CaseEvent
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.teams.models import Team


def test_every_demo_case_happens_in_order(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    now = utcnow()
    trails: dict[int, list[CaseEvent]] = {}
    for event in db.session.scalars(select(CaseEvent).order_by(CaseEvent.id)):
        trails.setdefault(event.case_id, []).append(event)
    cases = db.session.scalars(select(Case)).all()
    assert len(cases) > 100
    for case in cases:
        trail = trails[case.id]
        where = case.tracking_token
        # Written in the order it happened: each step at or after the one before, none ahead.
        moments = [e.at for e in trail]
        assert moments == sorted(moments) and moments[-1] <= now, where
        assert trail[0].action == "opened" and trail[0].at == case.created_at, where
        # Each step starts in the status the one before left the case in.
        for before, after in zip(trail, trail[1:], strict=False):
            assert after.from_status == before.to_status, (where, after.action)
        assert trail[-1].to_status == case.status, where
        # received < dispatched < accepted < handed over < closed
        dates = [case.created_at, case.dispatched_at, case.accepted_at, case.handled_at]
        dates = [d for d in dates + [case.closed_at] if d is not None]
        assert dates == sorted(dates), where


def test_no_team_figure_of_the_demo_is_below_zero(app):
    app.test_cli_runner().invoke(args=["demo", "load"])
    for team_id in db.session.scalars(select(Team.id)):
        figures = queries.team_record(team_id)
        for key in ("respond_hours", "resolve_hours"):
            assert figures[key] is None or figures[key] >= 0, (team_id, key, figures[key])


def test_a_step_out_of_order_never_counts_toward_a_median():
    from datetime import datetime, timedelta

    t = datetime(2026, 11, 1, 8, 0)
    assert records.hours_between(t, t + timedelta(hours=3)) == 3
    assert records.hours_between(t + timedelta(hours=3), t) is None  # accepted before dispatch
    assert records.hours_between(None, t) is None
    assert records.median_of([records.hours_between(t + timedelta(days=3), t), 1.0, 2.0]) == 1.5
    assert records.median_of([None]) is None
