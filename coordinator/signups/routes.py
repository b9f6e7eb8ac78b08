"""Handlers of sign-ups (the URL map is blueprint.py): the answer is the event's page."""

from flask import redirect, request, url_for
from flask_login import current_user

from coordinator import access
from coordinator.access import SIGNED_IN, allow
from coordinator.events.models import CONFIRMED
from coordinator.events.queries import can_manage
from coordinator.events.routes import answer_on_event, visible_event
from coordinator.i18n import gettext as _
from coordinator.rules import Refused
from coordinator.signups import queries, services


@allow(SIGNED_IN)
def sign_up(event_id: int, role_id: int):
    # One row for the role and its event (not the event with its roles, people and places):
    # the answer is a redirect, or the event page built afresh by answer_on_event.
    target = queries.signup_target(current_user, event_id, role_id)
    access.require(target is not None)
    try:
        place = services.take_place(current_user, target)
    except Refused as refused:
        return answer_on_event(event_id, str(refused.message), "error", refused.status)
    if place.status == CONFIRMED:
        message = _("You are signed up for %(role)s. See you there!", role=target.role_name)
    else:
        message = _(
            "%(role)s is full. You are number %(n)d on the waitlist; we will tell "
            "you if a place opens.",
            role=target.role_name,
            n=place.place,
        )
    return answer_on_event(event_id, message, "success" if place.status == CONFIRMED else "info")


@allow(SIGNED_IN)
def cancel_signup(event_id: int, signup_id: int):
    event = visible_event(event_id)
    signup = queries.get_signup(event, signup_id)
    access.require(
        signup is not None
        and (signup.user_id == current_user.id or can_manage(current_user, event))
    )
    try:
        services.cancel_signup(current_user, signup)
    except Refused as refused:
        return answer_on_event(event_id, str(refused.message), "error", refused.status)
    if request.form.get("back") == "roster":
        return redirect(url_for("attendance.roster", event_id=event_id))
    return answer_on_event(event_id, _("Your place is cancelled."), "success")
