"""Service records as CSV and XLSX: one row per person per event with recorded hours.

The columns are those of DOMAIN.md ("Volunteers' service records"). This is the organiser's
service record summary, not an official certificate, and nothing here calls it one. The files
are written by coordinator.exports.files (no cell becomes a formula); ID numbers are masked
unless an admin asked for them in full for an official purpose (exports.services).
"""

from datetime import date, datetime, timedelta

from flask_babel import format_datetime
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from coordinator import access
from coordinator.auth.models import User
from coordinator.events.hours import to_utc
from coordinator.events.models import ID_TYPES, Event, Signup, VolunteerProfile
from coordinator.exports import files
from coordinator.exports.services import may_export_in_full
from coordinator.extensions import db
from coordinator.i18n import lazy_gettext as _l

COLUMNS = [
    _l("Name"),
    _l("ID type"),
    _l("ID number"),
    _l("Volunteer number"),
    _l("Activity"),
    _l("Date"),
    _l("Venue"),
    _l("Content"),
    _l("Check-in"),
    _l("Check-out"),
    _l("Hours"),
    _l("Organiser"),
    _l("Confirmed by"),
]
WIDTHS = (10, 14, 22, 16, 24, 12, 28, 30, 17, 17, 8, 10, 10)
EXPORT = "service_records"  # its name in the log of full exports


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
    if actor.role == access.STAFF:
        stmt = stmt.where(Event.community_id == actor.community_id)
    elif actor.role != access.ADMIN:
        stmt = stmt.where(False)
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


def to_csv(records: list[list]) -> bytes:
    return files.to_csv(COLUMNS, records)


def to_xlsx(records: list[list], title: str) -> bytes:
    return files.to_xlsx(COLUMNS, records, title, WIDTHS)
