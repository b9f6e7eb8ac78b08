"""Read models of volunteers: a volunteer's own sign-ups and hours, and the service records
(one row per person per event with recorded hours) in the office's scope, for the records page
and its files."""

from datetime import date, datetime, timedelta

from flask_babel import format_datetime
from sqlalchemy import bindparam, false, func, select
from sqlalchemy.orm import aliased, selectinload

from coordinator import access
from coordinator.auth.models import User
from coordinator.events.models import ID_TYPES, CalendarFeed, Event, Signup, VolunteerProfile
from coordinator.exports import files
from coordinator.exports.services import may_export_in_full
from coordinator.extensions import db
from coordinator.i18n import to_utc


def confirmed_minutes(user_id: int) -> int:
    """A person's confirmed service minutes: the one sum behind every "confirmed hours" figure
    (the home page's number and /me/hours), written as hours by attendance.hours."""
    return (
        db.session.scalar(
            select(func.sum(Signup.hours_minutes)).where(
                Signup.user_id == user_id, Signup.hours_confirmed_at.is_not(None)
            )
        )
        or 0
    )


def my_hours(user) -> tuple[list[Signup], int]:
    """A volunteer's sign-ups, newest event first, and their confirmed minutes in total."""
    rows = list(
        db.session.scalars(
            select(Signup)
            .join(Event, Event.id == Signup.event_id)
            .where(Signup.user_id == user.id)
            .options(
                selectinload(Signup.event).selectinload(Event.community),
                selectinload(Signup.role),
                selectinload(Signup.corrections),
            )
            .order_by(Event.starts_at.desc(), Signup.id.desc())
        )
    )
    return rows, confirmed_minutes(user.id)


def calendar_token(user_id: int) -> str | None:
    """The secret of the person's calendar address, if they have made one."""
    return db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == user_id))


def feed_owner(token: str) -> User | None:
    """Whose calendar this secret opens: an active account's, or nobody's."""
    if not token:
        return None
    return db.session.scalar(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token == token, User.active.is_(True))
    )


def get_own_signup(user, signup_id: int) -> Signup | None:
    return db.session.scalar(
        select(Signup).where(Signup.id == signup_id, Signup.user_id == user.id)
    )


def visible(stmt, actor):
    """The service records an actor may see: admins all, staff their community's, nobody else
    any (a statement over events)."""
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(Event.community_id == bindparam("actor_community", actor.community_id))
    return stmt.where(false())


def records_query(
    actor, community_id: int = 0, date_from: date | None = None, date_to: date | None = None
):
    """Signups with hours, in scope: staff their community, admins all (or one)."""
    confirmer = aliased(User)
    stmt = (
        select(Signup, Event, User, VolunteerProfile, confirmer)
        .join(Event, Event.id == Signup.event_id)
        .join(User, User.id == Signup.user_id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .outerjoin(confirmer, confirmer.id == Signup.hours_confirmed_by_id)
        .where(Signup.hours_minutes.is_not(None))
        .options(
            selectinload(Event.organiser),
            selectinload(Event.community),
            selectinload(Event.compound),
        )
        .order_by(Event.starts_at, Event.id, User.name, Signup.id)
    )
    stmt = visible(stmt, actor)
    if community_id:
        stmt = stmt.where(Event.community_id == community_id)
    if date_from:
        stmt = stmt.where(
            Event.starts_at >= to_utc(datetime.combine(date_from, datetime.min.time()))
        )
    if date_to:
        end = datetime.combine(date_to, datetime.min.time()) + timedelta(days=1)
        stmt = stmt.where(Event.starts_at < to_utc(end))
    return stmt


def rows(actor, full_ids: bool = False, **filters) -> list[list]:
    """The records in scope, one list of cells each; ID numbers masked unless full_ids."""
    full_ids = full_ids and may_export_in_full(actor)
    out = []
    for signup, event, user, profile, confirmer in db.session.execute(
        records_query(actor, **filters)
    ):
        out.append(
            [
                user.name,
                str(ID_TYPES.get(profile.id_type, "")) if profile else "",
                (profile.id_number if full_ids else files.mask_id_number(profile.id_number))
                if profile
                else "",
                profile.volunteer_number if profile else "",
                event.title,
                format_datetime(event.starts_at, "yyyy-MM-dd"),
                event.place,
                event.description or event.kind_label,
                format_datetime(signup.check_in_at, "yyyy-MM-dd HH:mm")
                if signup.check_in_at
                else "",
                format_datetime(signup.check_out_at, "yyyy-MM-dd HH:mm")
                if signup.check_out_at
                else "",
                round(signup.hours_minutes / 60, 2),
                event.organiser.name if event.organiser else "",
                confirmer.name if confirmer else "",
            ]
        )
    return out
