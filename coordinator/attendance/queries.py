"""Read models of attendance: an event's roster with its hours, who still needs a check-out
time, the corrections waiting for the organiser."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coordinator.attendance.hours import missing_check_out
from coordinator.events.models import (
    CONFIRMED,
    PENDING,
    SIGNUP_CANCELLED,
    Event,
    HoursCorrection,
    Signup,
)
from coordinator.extensions import db
from coordinator.i18n import utcnow


def roster(event: Event) -> list[Signup]:
    return list(
        db.session.scalars(
            select(Signup)
            .where(Signup.event_id == event.id, Signup.status != SIGNUP_CANCELLED)
            .options(
                selectinload(Signup.user),
                selectinload(Signup.role),
                selectinload(Signup.corrections),
            )
            .order_by(Signup.role_id, Signup.status, Signup.position, Signup.id)
        )
    )


def needs_confirmation(signups: list[Signup], now: datetime | None = None) -> list[Signup]:
    """Checked in without check-out after the day ended: the organiser sets the time."""
    now = now or utcnow()
    return [s for s in signups if missing_check_out(s.check_in_at, s.check_out_at, now)]


def pending_corrections(event: Event) -> list[HoursCorrection]:
    return list(
        db.session.scalars(
            select(HoursCorrection)
            .join(Signup)
            .where(Signup.event_id == event.id, HoursCorrection.status == PENDING)
            .options(selectinload(HoursCorrection.signup).selectinload(Signup.user))
            .order_by(HoursCorrection.id)
        )
    )


def get_correction(event: Event, correction_id: int) -> HoursCorrection | None:
    return db.session.scalar(
        select(HoursCorrection)
        .join(Signup)
        .where(HoursCorrection.id == correction_id, Signup.event_id == event.id)
    )


def confirmed_signup(event: Event, user_id: int) -> Signup | None:
    return db.session.scalar(
        select(Signup).where(
            Signup.event_id == event.id, Signup.user_id == user_id, Signup.status == CONFIRMED
        )
    )
