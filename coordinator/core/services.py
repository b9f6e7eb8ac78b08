"""The home page's numbers and the language preference."""

from flask import url_for
from sqlalchemy import func, select

from coordinator import access
from coordinator.auth import services as auth_services
from coordinator.cases import services as case_services
from coordinator.cases import workflow
from coordinator.cases.models import Case
from coordinator.events import models as event_models
from coordinator.events import queries as event_queries
from coordinator.events.models import Event, Signup
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.places.models import Community
from coordinator.teams.models import Team


def home_context(user) -> dict:
    """What a role sees first: the numbers that ask for action today, each a link to the list
    behind it, then the places to go from there."""
    stats = []
    if user.role in access.OFFICE:
        stats = _office_numbers(user)
    elif user.role in access.TEAM_SIDE and user.team_id:
        stats = _team_numbers(user)
    elif user.role == access.VOLUNTEER:
        stats = _volunteer_numbers(user)
    return {"user": user, "stats": stats, "area": _area_name(user)}


def _stat(number: int, label, url: str, tone: str = "") -> dict:
    return {"number": number or 0, "label": label, "url": url, "tone": tone if number else ""}


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def _area_name(user) -> str:
    """'红联北村社区' or the team's name: the words under the greeting."""
    if user.role in access.TEAM_SIDE and user.team_id:
        return db.session.scalar(select(Team.name).where(Team.id == user.team_id)) or ""
    if user.community_id:
        return (
            db.session.scalar(select(Community.name).where(Community.id == user.community_id)) or ""
        )
    return ""


def _office_numbers(user) -> list[dict]:
    now = utcnow()
    cases = case_services.scoped(select(func.count(Case.id)), user)
    events = event_queries.visible(
        select(func.count(Event.id)).where(
            Event.ends_at >= now, Event.status.in_(event_models.OPEN)
        ),
        user,
    )
    received = _count(cases.where(Case.status == workflow.RECEIVED))
    overdue = _count(cases.where(Case.status.in_(workflow.ON_THE_CLOCK), Case.due_at < now))
    in_hand = _count(cases.where(Case.status.in_(workflow.OPEN - {workflow.RECEIVED})))
    return [
        _stat(
            received, _l("To dispatch"), url_for("cases.board", status=workflow.RECEIVED), "orange"
        ),
        _stat(overdue, _l("Overdue"), url_for("cases.board", status="overdue"), "red"),
        _stat(in_hand, _l("In hand"), url_for("cases.board"), "blue"),
        _stat(_count(events), _l("Events coming up"), url_for("events.index"), "blue"),
    ]


def _team_numbers(user) -> list[dict]:
    now = utcnow()
    jobs = select(func.count(Case.id)).where(Case.team_id == user.team_id)
    waiting = _count(jobs.where(Case.status == workflow.DISPATCHED))
    open_jobs = _count(jobs.where(Case.status.in_(workflow.TEAM_LOAD)))
    overdue = _count(jobs.where(Case.status.in_(workflow.ON_THE_CLOCK), Case.due_at < now))
    jobs_url = url_for("cases.my_jobs")
    return [
        _stat(waiting, _l("New jobs to accept"), jobs_url, "orange"),
        _stat(overdue, _l("Overdue"), jobs_url, "red"),
        _stat(open_jobs, _l("Jobs in hand"), jobs_url, "blue"),
    ]


def _volunteer_numbers(user) -> list[dict]:
    coming = _count(
        select(func.count(Signup.id))
        .join(Event, Event.id == Signup.event_id)
        .where(
            Signup.user_id == user.id,
            Signup.status != event_models.SIGNUP_CANCELLED,
            Event.ends_at >= utcnow(),
            Event.status.in_(event_models.OPEN),
        )
    )
    minutes = _count(
        select(func.sum(Signup.hours_minutes)).where(
            Signup.user_id == user.id, Signup.hours_confirmed_at.is_not(None)
        )
    )
    return [
        _stat(coming, _l("My events coming up"), url_for("events.index"), "blue"),
        _stat(minutes // 60, _l("Confirmed hours"), url_for("volunteers.my_hours"), "green"),
    ]


def remember_language(user, lang: str) -> None:
    if user.is_authenticated and user.locale != lang:
        auth_services.set_locale(user, lang)
