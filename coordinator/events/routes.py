from datetime import date

import segno
from flask import Response, current_app, flash, g, redirect, request, url_for
from flask_login import current_user, login_user
from markupsafe import Markup

from coordinator import access
from coordinator.access import OFFICE, SIGNED_IN, allow, public
from coordinator.converters import parse_int
from coordinator.events import bp, export, feeds, services
from coordinator.events.forms import (
    CancelForm,
    CheckoutForm,
    CodeForm,
    CorrectionForm,
    EventForm,
    JoinForm,
    PhoneForm,
    RecordsForm,
)
from coordinator.events.hours import round_quarter, to_local, to_utc
from coordinator.events.models import CONFIRMED, KINDS, STATUSES, Event
from coordinator.exports.forms import FullExportForm
from coordinator.exports.services import log_full_export, may_export_in_full
from coordinator.extensions import htmx, limiter
from coordinator.forms import ButtonForm, date_arg
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import per_language, translated, translations, utcnow
from coordinator.i18n import when as local_when
from coordinator.paging import page_number
from coordinator.places.services import all_community_choices, community_choices
from coordinator.rendering import render
from coordinator.rules import Refused, attach_to_form, refuse_page
from coordinator.ui import status_badge

EXTRA_ROLE_ROWS = 2


def _expired():
    refuse_page(Refused(_("The form expired; please reload the page and try again."), status=400))


def _visible(event_id: int) -> Event:
    event = services.get_event(current_user, event_id)
    access.require(event is not None)
    return event


def _managed(event_id: int) -> Event:
    event = _visible(event_id)
    if not services.can_manage(current_user, event):
        refuse_page(Refused(_("Only the organiser can do that."), status=403))
    return event


# ---------------------------------------------------------------- list

WHEN_CHOICES = {"upcoming": _l("Coming up"), "past": _l("Past"), "all": _l("All")}


def index_context():
    """Everything the event list needs; the page and its fragment share it.

    The filters are read from the query string by hand and rendered from (value, label,
    selected) rows: WTForms' form, validation and widgets cost more than the 25 cards. A filter
    value that is not one of the choices is dropped, never an error page."""
    args = request.args
    communities = [(0, _("All communities")), *_all_communities()]
    community = _int_arg(args.get("community"))
    kinds = translated(KINDS)
    kind = args.get("kind")
    when = args.get("when")
    raw_date = " ".join(args.getlist("date"))
    day = date_arg(args.getlist("date"))  # None for 0001-01-01: it would leave the calendar
    page = services.search_events(
        current_user,
        community_id=community if any(community == c for c, _n in communities) else 0,
        kind=kind if kind in kinds else "",
        day=day,
        when=when if when in WHEN_CHOICES else "upcoming",
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
    )
    urls = _list_urls()
    _cards(page.items, dict(communities), kinds, urls["index"])
    return {
        "page": page,
        "date": raw_date,
        "urls": urls,
        "filters": {
            "community": _options(communities, community),
            "kind": _options([("", _("All kinds")), *kinds.items()], kind),
            "when": _options(translated(WHEN_CHOICES).items(), when),
        },
        "can_create": services.can_manage(current_user, None),
    }


LIST_LINKS = {
    "index": "events.index",
    "new": "events.new",
    "records": "events.records",
    "my_hours": "events.my_hours",
    "calendar": "events.calendar",
}


def _list_urls() -> dict:
    """The list page's links: the same for every request of the app (behind one prefix), so
    built once, not with five url_for calls a page (see ui._role_places)."""
    known = current_app.extensions.setdefault("events.list_urls", {})
    urls = known.get(request.script_root)
    if urls is None:
        urls = known[request.script_root] = {
            name: url_for(endpoint) for name, endpoint in LIST_LINKS.items()
        }
    return urls


def _int_arg(value):
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _options(rows, current) -> list[tuple]:
    """(value, label, selected): selected only when the query string names that value, as the
    form did (no choice is marked when the filter is not in the address)."""
    return [(value, label, current is not None and value == current) for value, label in rows]


def _cards(events, communities: dict, kinds: dict, events_url: str) -> None:
    """What each card shows, worked out in Python so that the template has few outputs a card:
    its address (the list's plus the id, no url_for), status badge, kind and date (ui.when's
    cached writer), place (the community's name from the filter's list, which holds every
    community the reader may see), places taken (one translated pattern) and the bar's width
    (rounded as Jinja's round did)."""
    taken = translations().ugettext("%(n)d of %(cap)d places taken")
    badges = _badges()
    for event in events:
        event.href = f"{events_url}/{event.id}"
        event.badge = badges.get(event.status) or status_badge(event.status, "grey")
        event.meta = f"{kinds.get(event.kind, event.kind)} · {local_when(event.starts_at)}"
        event.placed(communities.get(event.community_id, ""))
        event.taken = taken % {"n": event.confirmed, "cap": event.capacity}
        event.width = (
            int(round(100 * event.confirmed / event.capacity, 0)) if (event.capacity) else 0
        )


@per_language
def _badges() -> dict:
    """The status badges in the reader's language, made once per language and process."""
    return {code: status_badge(str(label), tone) for code, (label, tone) in STATUSES.items()}


def _all_communities():
    """Staff filter within their community; everyone else may look across the subdistrict."""
    if current_user.is_authenticated and current_user.role in OFFICE:
        return community_choices(current_user)
    return all_community_choices()


@bp.get("/events")
@allow(SIGNED_IN)
def index():
    return render("events/index.html", **index_context())


# ---------------------------------------------------------------- one event


def detail_context(event: Event, notice: str = "", tone: str = "success"):
    mine = services.my_signups(current_user, event.id)
    places = {s.role_id: services.waitlist_place(s) for s in mine.values() if s.status != CONFIRMED}
    return {
        "event": event,
        "mine": mine,
        "places": places,
        "button": ButtonForm(),
        "can_manage": services.can_manage(current_user, event),
        "closed": services.signup_refusal(event),
        "notice": notice,
        "tone": tone,
    }


@bp.get("/events/<int:event_id>")
@allow(SIGNED_IN)
def detail(event_id: int):
    return render("events/detail.html", **detail_context(_visible(event_id)))


def _answer_on_event(event_id: int, message: str, tone: str, status: int = 200):
    """htmx: the roles block with the message in it; without JS: back to the page.
    Takes the id, not the Event: after a service's commit the object is expired, and touching
    it would load the event, its roles and its people again only to build a redirect."""
    if htmx and not htmx.boosted:
        return render(
            "events/detail.html", status=status, **detail_context(_visible(event_id), message, tone)
        )
    flash(message, tone if tone != "error" else "error")
    if status >= 400:
        return render("events/detail.html", status=status, **detail_context(_visible(event_id)))
    return redirect(url_for("events.detail", event_id=event_id))


@bp.post("/events/<int:event_id>/roles/<int:role_id>/sign-up")
@allow(SIGNED_IN)
def sign_up(event_id: int, role_id: int):
    # One row for the role and its event (not the event with its roles, people and places):
    # the answer is a redirect, or the event page built afresh by _answer_on_event.
    target = services.signup_target(current_user, event_id, role_id)
    access.require(target is not None)
    # CSRFProtect has checked this request's token already (g.csrf_valid); the form would only
    # check it again, at the cost of building a form.
    if not g.get("csrf_valid") and not ButtonForm().validate_on_submit():
        _expired()
    try:
        place = services.take_place(current_user, target)
    except Refused as refused:
        return _answer_on_event(event_id, str(refused.message), "error", refused.status)
    if place.status == CONFIRMED:
        message = _("You are signed up for %(role)s. See you there!", role=target.role_name)
    else:
        message = _(
            "%(role)s is full. You are number %(n)d on the waitlist; we will tell "
            "you if a place opens.",
            role=target.role_name,
            n=place.place,
        )
    return _answer_on_event(event_id, message, "success" if place.status == CONFIRMED else "info")


@bp.post("/events/<int:event_id>/signups/<int:signup_id>/cancel")
@allow(SIGNED_IN)
def cancel_signup(event_id: int, signup_id: int):
    event = _visible(event_id)
    signup = services.get_signup(event, signup_id)
    access.require(
        signup is not None
        and (signup.user_id == current_user.id or services.can_manage(current_user, event))
    )
    if not ButtonForm().validate_on_submit():
        _expired()
    try:
        services.cancel_signup(current_user, signup)
    except Refused as refused:
        return _answer_on_event(event_id, str(refused.message), "error", refused.status)
    if request.form.get("back") == "roster":
        return redirect(url_for("events.roster", event_id=event_id))
    return _answer_on_event(event_id, _("Your place is cancelled."), "success")


# ---------------------------------------------------------------- create and edit


def _event_form(form: EventForm, event: Event | None) -> EventForm:
    form.community_id.choices = community_choices(current_user)
    community_id = (
        form.community_id.data
        or (event.community_id if event else None)
        or (current_user.community_id)
    )
    form.compound_id.choices = [(0, _("— whole community —"))] + services.compound_choices(
        current_user
    )
    form.organiser_id.choices = services.organiser_choices(current_user, community_id)
    return form


def _form_page(form, event, status=200):
    return render("events/form.html", status=status, form=form, event=event)


@bp.route("/events/new", methods=["GET", "POST"])
@allow(OFFICE)
def new():
    return _edit(None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@allow(SIGNED_IN)
def edit(event_id: int):
    return _edit(_managed(event_id))


def _edit(event: Event | None):
    if request.method == "GET":
        form = EventForm(formdata=None, data=_form_defaults(event))
    else:
        form = EventForm()
    _event_form(form, event)
    if request.method == "POST" and "add_role" in request.form:
        form.roles.append_entry()
        return _form_page(form, event)
    if form.validate_on_submit():
        data = dict(form.data)
        data["starts_at"] = to_utc(form.starts_at.data)
        data["ends_at"] = to_utc(form.ends_at.data)
        data["compound_id"] = form.compound_id.data or None
        try:
            saved = services.save_event(current_user, data, event)
        except Refused as refused:
            if not _attach_to_event_form(form, refused):
                refuse_page(refused)
            return _form_page(form, event, refused.status)
        flash(_("Saved %(title)s.", title=saved.title), "success")
        return redirect(url_for("events.detail", event_id=saved.id))
    return _form_page(form, event, 422 if form.is_submitted() else 200)


def _attach_to_event_form(form: EventForm, refused: Refused) -> bool:
    """attach_to_form, and a role's own field ("roles-2-capacity") for a refusal about it."""
    name, _sep, rest = (refused.field or "").partition("-")
    index, _sep, field = rest.partition("-")
    if name == "roles" and index.isdecimal() and int(index) < len(form.roles.entries):
        row = form.roles.entries[int(index)].form
        if hasattr(row, field):
            return attach_to_form(row, Refused(refused.message, field=field))
    return attach_to_form(form, refused)


def _form_defaults(event: Event | None) -> dict:
    if event is None:
        return {
            "community_id": current_user.community_id,
            "organiser_id": current_user.id,
            "claim_days": current_app.config.get("BIKE_CLAIM_DAYS", 15),
            "roles": [{"name": "", "capacity": None}] * (EXTRA_ROLE_ROWS + 1),
        }
    roles = [{"id": r.id, "name": r.name, "capacity": r.capacity} for r in event.roles]
    roles += [{"name": "", "capacity": None}] * EXTRA_ROLE_ROWS
    return {
        "kind": event.kind,
        "title": event.title,
        "community_id": event.community_id,
        "compound_id": event.compound_id or 0,
        "starts_at": to_local(event.starts_at),
        "ends_at": to_local(event.ends_at),
        "meeting_place": event.meeting_place,
        "organiser_id": event.organiser_id,
        "description": event.description,
        "notice_date": event.notice_date,
        "claim_days": event.claim_days,
        "roles": roles,
    }


# ---------------------------------------------------------------- status changes


def _step(event_id: int, step, done_message: str):
    event = _managed(event_id)
    if not ButtonForm().validate_on_submit():
        _expired()
    try:
        step(current_user, event)
    except Refused as refused:
        return _answer_on_event(event.id, str(refused.message), "error", refused.status)
    flash(done_message, "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.post("/events/<int:event_id>/publish")
@allow(SIGNED_IN)
def publish(event_id: int):
    return _step(event_id, services.publish, _("Published: people can sign up now."))


@bp.post("/events/<int:event_id>/start")
@allow(SIGNED_IN)
def start(event_id: int):
    return _step(event_id, services.start, _("Marked as under way."))


@bp.post("/events/<int:event_id>/finish")
@allow(SIGNED_IN)
def finish(event_id: int):
    return _step(event_id, services.finish, _("Marked as done. Remember to confirm hours."))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@allow(SIGNED_IN)
def cancel(event_id: int):
    event = _managed(event_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel(current_user, event, form.reason.data)
        except Refused as refused:
            if not attach_to_form(form, refused):
                refuse_page(refused)
            return render("events/cancel.html", status=refused.status, form=form, event=event)
        flash(_("Cancelled. Everyone signed up will get a message."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if form.is_submitted() else 200
    return render(
        "events/cancel.html",
        status=status,
        form=form,
        event=event,
        people=len(services.roster(event)),
    )


# ---------------------------------------------------------------- roster, check-in, hours


def roster_context(
    event: Event, checkout_form: CheckoutForm | None = None, notice: str = "", tone: str = "success"
):
    people = services.roster(event)
    return {
        "event": event,
        "people": people,
        "button": ButtonForm(),
        "missing": services.needs_confirmation(people),
        "corrections": services.pending_corrections(event),
        "checkout_form": checkout_form or CheckoutForm(formdata=None),
        "checkin_url": _checkin_url(event),
        "notice": notice,
        "tone": tone,
    }


@bp.get("/events/<int:event_id>/roster")
@allow(SIGNED_IN)
def roster(event_id: int):
    return render("events/roster.html", **roster_context(_managed(event_id)))


def _roster_answer(
    event: Event, message: str = "", tone: str = "success", status: int = 200, checkout_form=None
):
    if htmx and not htmx.boosted:
        return render(
            "events/roster.html",
            status=status,
            **roster_context(event, checkout_form, message, tone),
        )
    if status >= 400:
        return render(
            "events/roster.html",
            status=status,
            **roster_context(event, checkout_form, message, tone),
        )
    if message:
        flash(message, tone)
    return redirect(url_for("events.roster", event_id=event.id))


def _roster_signup(event_id: int, signup_id: int):
    event = _managed(event_id)
    signup = services.get_signup(event, signup_id)
    access.require(signup is not None)
    if not ButtonForm().validate_on_submit():
        _expired()
    return event, signup


@bp.post("/events/<int:event_id>/signups/<int:signup_id>/check-in")
@allow(SIGNED_IN)
def tick_in(event_id: int, signup_id: int):
    event, signup = _roster_signup(event_id, signup_id)
    try:
        services.tick_in(current_user, signup, request.form.get("on") != "0")
    except Refused as refused:
        return _roster_answer(event, str(refused.message), "error", refused.status)
    return _roster_answer(event)


@bp.post("/events/<int:event_id>/signups/<int:signup_id>/check-out")
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


@bp.post("/events/<int:event_id>/signups/<int:signup_id>/confirm-hours")
@allow(SIGNED_IN)
def confirm_hours(event_id: int, signup_id: int):
    event, signup = _roster_signup(event_id, signup_id)
    try:
        services.confirm_hours(current_user, signup)
    except Refused as refused:
        return _roster_answer(event, str(refused.message), "error", refused.status)
    return _roster_answer(event, _("Hours confirmed for %(name)s.", name=signup.user.name))


@bp.post("/events/<int:event_id>/corrections/<int:correction_id>")
@allow(SIGNED_IN)
def decide_correction(event_id: int, correction_id: int):
    event = _managed(event_id)
    correction = services.get_correction(event, correction_id)
    access.require(correction is not None)
    if not ButtonForm().validate_on_submit():
        _expired()
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
        "events.checkin", event_id=event.id, k=services.checkin_key(event), _external=True
    )


@bp.get("/events/<int:event_id>/qr")
@allow(SIGNED_IN)
def qr(event_id: int):
    event = _managed(event_id)
    url = _checkin_url(event)
    svg = Markup(segno.make(url, error="m").svg_inline(scale=8, title=event.title))
    return render("events/qr.html", event=event, url=url, svg=svg)


@bp.route("/events/<int:event_id>/checkin", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def checkin(event_id: int):
    """The QR link: signed in → one button; otherwise mobile number, then the SMS code."""
    event = services.public_event(event_id)
    key = request.args.get("k", "")
    access.require(event is not None and services.checkin_key_valid(event, key))
    ctx = {
        "event": event,
        "key": key,
        "button": ButtonForm(),
        "phone_form": PhoneForm(),
        "code_form": None,
        "done": None,
        "refusal": services.checkin_refusal(event),
    }
    if request.method == "GET":
        return render("events/checkin.html", **ctx)
    step = request.form.get("step")
    status = 200
    try:
        if step == "self" and current_user.is_authenticated:
            if not ctx["button"].validate_on_submit():
                _expired()
            ctx["done"] = services.check_in_self(current_user, event)
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
        form = ctx["code_form"] or ctx["phone_form"]
        if not attach_to_form(form, refused):
            ctx["refusal"] = refused.message
        status = refused.status
    return render("events/checkin.html", status=status, **ctx)


# ---------------------------------------------------------------- calendars


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "public, max-age=300",
        },
    )


@bp.get("/events/<int:event_id>.ics")
@public
def event_ics(event_id: int):
    event = services.public_event(event_id)
    access.require(event is not None)
    body = feeds.build_calendar([event], event.title, _event_url)
    return _ics(body, f"event-{event.id}.ics")


@bp.get("/events/calendar.ics")
@public
def calendar():
    # A feed names one community or none; a number that names none is not found (not "all").
    asked = request.args.get("community", "")
    community_id = parse_int(asked) if asked else None
    community = services.get_community(community_id) if community_id else None
    access.require(not asked or community is not None)
    name = community.name if community else _("Beitaipingzhuang events")
    body = feeds.build_calendar(feeds.community_events(community_id), name, _event_url)
    return _ics(body, f"events-{community_id or 'all'}.ics")


def _event_url(event: Event) -> str:
    return url_for("events.detail", event_id=event.id, _external=True)


# ---------------------------------------------------------------- volunteers


@bp.route("/volunteer/join", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute; 30 per hour", methods=["POST"])
def join():
    if current_user.is_authenticated:
        return redirect(url_for("events.index"))
    form = JoinForm()
    form.community_id.choices = [(0, _("— choose —"))] + _all_communities()
    if form.validate_on_submit():
        try:
            user = services.register_volunteer(form.data)
        except Refused as refused:
            if not attach_to_form(form, refused):
                refuse_page(refused)
            return render("events/join.html", status=refused.status, form=form)
        login_user(user)
        flash(_("Welcome, %(name)s! Pick an event and sign up.", name=user.name), "success")
        return redirect(url_for("events.index"))
    return render("events/join.html", status=422 if form.is_submitted() else 200, form=form)


def my_hours_context(correcting=None, form=None):
    signups, total = services.my_hours(current_user)
    return {
        "signups": signups,
        "total": total,
        "correcting": correcting,
        "form": form,
        "now": utcnow(),
        "button": ButtonForm(),
    }


@bp.get("/me/hours")
@allow(SIGNED_IN)
def my_hours():
    return render("events/my_hours.html", **my_hours_context())


@bp.route("/me/hours/<int:signup_id>/correction", methods=["GET", "POST"])
@allow(SIGNED_IN)
def correction(signup_id: int):
    signup = services.get_own_signup(current_user, signup_id)
    access.require(signup is not None)
    if request.method == "GET":
        hours = (signup.hours_minutes or 0) / 60 or None
        form = CorrectionForm(formdata=None, hours=hours)
    else:
        form = CorrectionForm()
    if form.validate_on_submit():
        minutes = round_quarter(float(form.hours.data) * 3600)
        try:
            services.request_correction(current_user, signup, minutes, form.reason.data)
        except Refused as refused:
            if not attach_to_form(form, refused):
                refuse_page(refused)
            return render("events/correction.html", status=refused.status, form=form, signup=signup)
        flash(_("Sent to the organiser. You will get a message with the answer."), "success")
        return redirect(url_for("events.my_hours"))
    return render(
        "events/correction.html",
        status=422 if form.is_submitted() else 200,
        form=form,
        signup=signup,
    )


# ---------------------------------------------------------------- service records


def _records_filters():
    form = RecordsForm(request.args)
    form.community.choices = [(0, _("All communities"))] + community_choices(current_user)
    form.validate()
    return form, {
        "community_id": (form.community.data or 0) if not form.community.errors else 0,
        "date_from": form.date_from.data if not form.date_from.errors else None,
        "date_to": form.date_to.data if not form.date_to.errors else None,
    }


def records_context(full_form=None):
    """The records page and its fragment; admins also get the full-export form."""
    form, filters = _records_filters()
    rows = export.rows(current_user, **filters)
    if full_form is None and may_export_in_full(current_user):
        full_form = FullExportForm(formdata=None)
    return {
        "form": form,
        "rows": rows[:200],
        "total": len(rows),
        "columns": [str(c) for c in export.COLUMNS],
        "args": request.args.to_dict(),
        "full_form": full_form,
    }


@bp.get("/events/records")
@allow(OFFICE)
def records():
    return render("events/records.html", **records_context())


def _records_download(fmt: str, rows: list[list]) -> Response:
    name = f"service-records-{date.today().isoformat()}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(
            export.to_csv(rows), mimetype="text/csv; charset=utf-8", headers=disposition
        )
    body = export.to_xlsx(rows, _("Service record summary"))
    return Response(
        body,
        headers=disposition,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/events/records.<any(csv, xlsx):fmt>")
@allow(OFFICE)
def records_file(fmt: str):
    """The records with ID numbers masked, for anyone who may see them."""
    _form, filters = _records_filters()
    return _records_download(fmt, export.rows(current_user, **filters))


@bp.post("/events/records/full")
@allow(access.ADMIN)
def records_full():
    """ID numbers in full: an admin states the official purpose; the request is logged
    (who, when, purpose, filter) before the file is made. The filter is the page's query."""
    full_form = FullExportForm()
    if full_form.validate_on_submit():
        _form, filters = _records_filters()
        rows = export.rows(current_user, full_ids=True, **filters)
        try:
            log_full_export(current_user, export.EXPORT, full_form.purpose.data, filters, len(rows))
        except Refused as refused:
            if not attach_to_form(full_form, refused):
                refuse_page(refused)
        else:
            return _records_download(full_form.fmt.data, rows)
    return render("events/records.html", status=422, **records_context(full_form))
