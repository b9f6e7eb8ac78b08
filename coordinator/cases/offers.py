"""What cases offer to the shared pages: nav places, the home page's numbers, a team's record."""

from flask import url_for
from sqlalchemy import func, select

from coordinator import access, plugins
from coordinator.cases import queries, workflow
from coordinator.cases.models import Case
from coordinator.i18n import lazy_gettext as _l


def register(app) -> None:
    plugins.offer_nav(app, "cases.board", _l("Cases"), "☰", access.OFFICE, order=20)
    plugins.offer_nav(app, "cases.my_jobs", _l("My jobs"), "✓", access.TEAM_SIDE, order=30)
    plugins.offer_nav(
        app,
        "cases.report",
        _l("Report a problem"),
        "✎",
        {access.RESIDENT, access.VOLUNTEER},
        order=60,
    )
    # On the resident's home page (its list of places), not in the bottom bar.
    plugins.offer_nav(
        app, "cases.my_reports", _l("My reports"), "☷", {access.RESIDENT}, in_bar=False, order=61
    )
    plugins.offer_home_numbers(app, home_numbers, order=10)
    plugins.offer_team_record(app, "cases/_team_record.html", queries.team_record)


def home_numbers(user, now) -> list[dict]:
    """The office: cases to dispatch, overdue, in hand; a team: new jobs, overdue, in hand; a
    resident: their own reports in hand."""
    if user.role in access.OFFICE:
        return _office_numbers(user, now)
    if user.role in access.TEAM_SIDE and user.team_id:
        return _team_numbers(user, now)
    if user.role == access.RESIDENT and user.phone:
        return _resident_numbers(user)
    return []


def _resident_numbers(user) -> list[dict]:
    """A resident: their reports still open (by their phone, as my reports finds them)."""
    mine = select(func.count(Case.id)).where(Case.reporter_phone == user.phone)
    open_ = plugins.count(mine.where(Case.is_open))
    return [plugins.stat(open_, _l("My reports in hand"), url_for("cases.my_reports"), "blue")]


def _office_numbers(user, now) -> list[dict]:
    cases = queries.visible(select(func.count(Case.id)), user)
    received = plugins.count(cases.where(Case.status == workflow.RECEIVED))
    overdue = plugins.count(cases.where(Case.is_overdue(now)))
    in_hand = plugins.count(cases.where(Case.status.in_(workflow.OPEN - {workflow.RECEIVED})))
    return [
        plugins.stat(
            received, _l("To dispatch"), url_for("cases.board", status=workflow.RECEIVED), "orange"
        ),
        plugins.stat(overdue, _l("Overdue"), url_for("cases.board", status="overdue"), "red"),
        plugins.stat(in_hand, _l("In hand"), url_for("cases.board"), "blue"),
    ]


def _team_numbers(user, now) -> list[dict]:
    jobs = select(func.count(Case.id)).where(Case.team_id == user.team_id)
    waiting = plugins.count(jobs.where(Case.status == workflow.DISPATCHED))
    open_jobs = plugins.count(jobs.where(Case.status.in_(workflow.TEAM_LOAD)))
    overdue = plugins.count(jobs.where(Case.is_overdue(now)))
    jobs_url = url_for("cases.my_jobs")
    return [
        plugins.stat(waiting, _l("New jobs to accept"), jobs_url, "orange"),
        plugins.stat(overdue, _l("Overdue"), jobs_url, "red"),
        plugins.stat(open_jobs, _l("Jobs in hand"), jobs_url, "blue"),
    ]
