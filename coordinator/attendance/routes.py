"""Handlers of attendance (the URL map is blueprint.py): the organiser's roster and its ticks,
the QR check-in, and a volunteer's correction of hours."""

import segno
from flask import flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup

from coordinator import access
from coordinator.access import SIGNED_IN, allow, public
from coordinator.attendance import queries, services
from coordinator.attendance.forms import (
    CheckoutForm,
    CodeForm,
    CorrectionForm,
    PhoneForm,
    WalkInForm,
)
from coordinator.attendance.hours import round_quarter
from coordinator.events.models import Event
from coordinator.events.queries import public_event
from coordinator.events.routes import managed_event
from coordinator.extensions import htmx, limiter
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.i18n import to_utc
from coordinator.rendering import render
from coordinator.rules import Refused, attach_to_form, show_refusal
from coordinator.signups.queries import get_signup
from coordinator.volunteers.queries import get_own_signup

# ---------------------------------------------------------------- roster, check-in, hours


def roster_context(
    event: Event,
    checkout_form: CheckoutForm | None = None,
    notice: str = "",
    tone: str = "success",
    walk_in_form: WalkInForm | None = None,
):
    people = queries.roster(event)
    if walk_in_form is None:
        walk_in_form = WalkInForm(formdata=None)
    walk_in_form.role_id.choices = [(r.id, r.name) for r in event.roles]
    return {
        "walk_in_form": walk_in_form,
        "walk_ins_open": services.checkin_refusal(event) is None,
        "event": event,
        "people": people,
        "button": ButtonForm(),
        "missing": queries.needs_confirmation(people),
        "corrections": queries.pending_corrections(event),
        "checkout_form": checkout_form or CheckoutForm(formdata=None),
        "checkin_url": _checkin_url(event),
        "notice": notice,
        "tone": tone,
    }


@allow(SIGNED_IN)
def roster(event_id: int):
    return render("attendance/roster.html", **roster_context(managed_event(event_id)))


def _roster_answer(
    event: Event, message: str = "", tone: str = "success", status: int = 200, checkout_form=None
):
    if (htmx and not htmx.boosted) or status >= 400:
        return render(
            "attendance/roster.html",
            status=status,
            **roster_context(event, checkout_form, message, tone),
        )
    if message:
        flash(message, tone)
    return redirect(url_for("attendance.roster", event_id=event.id))


def _roster_signup(event_id: int, signup_id: int):
    event = managed_event(event_id)
    signup = get_signup(event, signup_id)
    access.require(signup is not None)
    return event, signup


@allow(SIGNED_IN)
def tick_in(event_id: int, signup_id: int):
    event, signup = _roster_signup(event_id, signup_id)
    try:
        services.tick_in(current_user, signup, request.form.get("on") != "0")
    except Refused as refused:
        return _roster_answer(event, str(refused.message), "error", refused.status)
    return _roster_answer(event)


@allow(SIGNED_IN)
def tick_out(event_id: int, signup_id: int):
    event, signup = _roster_signup(event_id, signup_id)
    form = None
    at = None
    if "check_out" in request.form:
        form = CheckoutForm()
        if not form.validate():
            return _roster_answer(
                event, _("Enter when this person left."), "error", 422, checkout_form=form
            )
        at = to_utc(form.check_out.data)
    try:
        services.tick_out(current_user, signup, request.form.get("on") != "0", at)
    except Refused as refused:
        return _roster_answer(
            event, str(refused.message), "error", refused.status, checkout_form=form
        )
    return _roster_answer(event)


@allow(SIGNED_IN)
def confirm_hours(event_id: int, signup_id: int):
    event, signup = _roster_signup(event_id, signup_id)
    try:
        services.confirm_hours(current_user, signup)
    except Refused as refused:
        return _roster_answer(event, str(refused.message), "error", refused.status)
    return _roster_answer(event, _("Hours confirmed for %(name)s.", name=signup.user.name))


@allow(SIGNED_IN)
def walk_in(event_id: int):
    """The organiser adds someone who came without signing up, checked in at once."""
    event = managed_event(event_id)
    form = WalkInForm()
    form.role_id.choices = [(r.id, r.name) for r in event.roles]

    def page(status, form):
        return render(
            "attendance/roster.html", status=status, **roster_context(event, walk_in_form=form)
        )

    if not form.validate_on_submit():
        return page(422, form)
    try:
        signup = services.add_walk_in(
            current_user, event, form.role_id.data, form.name.data, form.phone.data
        )
    except Refused as refused:
        return show_refusal(refused, form, page)
    return _roster_answer(event, _("%(name)s added and checked in.", name=signup.user.name))


@allow(SIGNED_IN)
def decide_correction(event_id: int, correction_id: int):
    event = managed_event(event_id)
    correction = queries.get_correction(event, correction_id)
    access.require(correction is not None)
    accept = request.form.get("decision") == "accept"
    try:
        services.decide_correction(
            current_user, correction, accept, request.form.get("note", "")[:500]
        )
    except Refused as refused:
        return _roster_answer(event, str(refused.message), "error", refused.status)
    return _roster_answer(event, _("Correction accepted.") if accept else _("Correction rejected."))


def _checkin_url(event: Event) -> str:
    return url_for(
        "attendance.checkin", event_id=event.id, k=services.checkin_key(event), _external=True
    )


@allow(SIGNED_IN)
def qr(event_id: int):
    event = managed_event(event_id)
    url = _checkin_url(event)
    svg = Markup(segno.make(url, error="m").svg_inline(scale=8, title=event.title))
    return render("attendance/qr.html", event=event, url=url, svg=svg)


@public
@limiter.limit("20 per minute", methods=["POST"])
def checkin(event_id: int):
    """The QR link: signed in → one button (check in; once in, check out); otherwise mobile
    number, then the SMS code (which checks out someone checked in already)."""
    event = public_event(event_id)
    key = request.args.get("k", "")
    access.require(event is not None and services.checkin_key_valid(event, key))
    ctx = {
        "event": event,
        "key": key,
        "mine": queries.confirmed_signup(event, current_user.id)
        if current_user.is_authenticated
        else None,
        "button": ButtonForm(),
        "phone_form": PhoneForm(),
        "code_form": None,
        "done": None,
        "refusal": services.checkin_refusal(event),
    }
    ctx["leaving"] = bool(ctx["mine"] and ctx["mine"].check_in_at and not ctx["mine"].check_out_at)
    ctx["out"] = bool(ctx["mine"] and ctx["mine"].check_in_at)
    if request.method == "GET":
        return render("attendance/checkin.html", **ctx)
    step = request.form.get("step")
    status = 200
    try:
        if step == "self" and current_user.is_authenticated:
            ctx["done"] = services.check_in_self(current_user, event)
        elif step == "out" and current_user.is_authenticated:
            ctx["done"] = services.check_out_self(current_user, event)
        elif step == "code":
            form = CodeForm()
            ctx["code_form"] = form
            if form.validate_on_submit():
                ctx["done"] = services.check_in_with_code(event, form.phone.data, form.code.data)
            else:
                status = 422
        else:
            form = PhoneForm()
            ctx["phone_form"] = form
            if form.validate_on_submit():
                services.send_checkin_code(event, form.phone.data)
                ctx["code_form"] = CodeForm(formdata=None, phone=form.phone.data)
            else:
                status = 422
    except Refused as refused:
        # The page has its own place for a refusal without a field (the check-in's state).
        form = ctx["code_form"] or ctx["phone_form"]
        if not attach_to_form(form, refused):
            ctx["refusal"] = refused.message
        status = refused.status
    ctx["leaving"] = ctx["leaving"] and not ctx["done"]
    ctx["out"] = ctx["leaving"] or bool(ctx["done"] and ctx["done"].check_out_at)
    return render("attendance/checkin.html", status=status, **ctx)


# ---------------------------------------------------------------- corrections of hours


@allow(SIGNED_IN)
def correction(signup_id: int):
    signup = get_own_signup(current_user, signup_id)
    access.require(signup is not None)
    if request.method == "GET":
        hours = (signup.hours_minutes or 0) / 60 or None
        form = CorrectionForm(formdata=None, hours=hours)
    else:
        form = CorrectionForm()

    def page(status, form):
        return render("attendance/correction.html", status=status, form=form, signup=signup)

    if form.validate_on_submit():
        minutes = round_quarter(float(form.hours.data) * 3600)
        try:
            services.request_correction(current_user, signup, minutes, form.reason.data)
        except Refused as refused:
            return show_refusal(refused, form, page)
        flash(_("Sent to the organiser. You will get a message with the answer."), "success")
        return redirect(url_for("volunteers.my_hours"))
    return page(422 if form.is_submitted() else 200, form)
