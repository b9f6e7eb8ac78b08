"""Handlers of the event itself (the URL map is blueprint.py): parse, call a query or a service,
render. The event's page and the answer after a change on it are shared with signups."""

from flask import Response, current_app, flash, redirect, request, url_for
from flask_login import current_user

from coordinator import access
from coordinator.access import OFFICE, SIGNED_IN, allow, public
from coordinator.converters import parse_int
from coordinator.events import feeds, queries, services, share
from coordinator.events.forms import CancelForm, EventForm
from coordinator.events.models import CONFIRMED, KINDS, PUBLISHED, STATUSES, UNDER_WAY, Event
from coordinator.extensions import htmx
from coordinator.filters import options
from coordinator.forms import ButtonForm, date_arg
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import per_language, to_local, to_utc, translated, translations
from coordinator.i18n import when as local_when
from coordinator.paging import page_number
from coordinator.places.queries import all_community_choices, community_choices, plannable_compounds
from coordinator.rendering import render
from coordinator.rules import Refused, attach_to_form, show_refusal
from coordinator.signups.queries import my_signups, waitlist_place
from coordinator.signups.services import signup_refusal
from coordinator.ui import status_badge

EXTRA_ROLE_ROWS = 2


def visible_event(event_id: int) -> Event:
    """The event if the reader may see it; otherwise not found."""
    event = queries.get_event(current_user, event_id)
    access.require(event is not None)
    return event


def managed_event(event_id: int) -> Event:
    """The event if the reader may manage it (403 if they may only see it)."""
    event = visible_event(event_id)
    if not queries.can_manage(current_user, event):
        raise Refused(_("Only the organiser can do that."), status=403)
    return event


# ---------------------------------------------------------------- list

WHEN_CHOICES = {"upcoming": _l("Coming up"), "past": _l("Past"), "all": _l("All")}


def index_context():
    """Everything the event list needs; the page and its fragment share it.

    The filters are read from the query string and shown with ui.filter_select
    (coordinator.filters): a filter value that is not one of the choices is dropped."""
    args = request.args
    communities = [(0, _("All communities")), *community_filter_choices()]
    community = parse_int(args.get("community"))
    kinds = translated(KINDS)
    kind = args.get("kind")
    when = args.get("when")
    raw_date = " ".join(args.getlist("date"))
    day = date_arg(args.getlist("date"))  # None for 0001-01-01: it would leave the calendar
    page = queries.search_events(
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
            "community": options(communities, community),
            "kind": options([("", _("All kinds")), *kinds.items()], kind),
            "when": options(translated(WHEN_CHOICES).items(), when),
        },
        "can_create": queries.can_manage(current_user, None),
    }


LIST_LINKS = {
    "index": "events.index",
    "new": "events.new",
    "records": "volunteers.records",
    "my_hours": "volunteers.my_hours",
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


def community_filter_choices():
    """Staff filter within their community; everyone else may look across the subdistrict."""
    if current_user.is_authenticated and current_user.role in OFFICE:
        return community_choices(current_user)
    return all_community_choices()


@allow(SIGNED_IN)
def index():
    return render("events/index.html", **index_context())


# ---------------------------------------------------------------- one event


def detail_context(event: Event, notice: str = "", tone: str = "success"):
    mine = my_signups(current_user, event.id)
    places = {s.role_id: waitlist_place(s) for s in mine.values() if s.status != CONFIRMED}
    return {
        "event": event,
        "mine": mine,
        "places": places,
        "button": ButtonForm(),
        "can_manage": queries.can_manage(current_user, event),
        "share": share.share_text(event, _event_url(event))
        if event.status in (PUBLISHED, UNDER_WAY)
        else "",
        "closed": signup_refusal(event),
        "notice": notice,
        "tone": tone,
    }


@allow(SIGNED_IN)
def detail(event_id: int):
    return render("events/detail.html", **detail_context(visible_event(event_id)))


def answer_on_event(event_id: int, message: str, tone: str, status: int = 200):
    """htmx: the roles block with the message in it; without JS: back to the page.
    Takes the id, not the Event: after a service's commit the object is expired, and touching
    it would load the event, its roles and its people again only to build a redirect."""
    if htmx and not htmx.boosted:
        return render(
            "events/detail.html",
            status=status,
            **detail_context(visible_event(event_id), message, tone),
        )
    flash(message, tone if tone != "error" else "error")
    if status >= 400:
        return render(
            "events/detail.html", status=status, **detail_context(visible_event(event_id))
        )
    return redirect(url_for("events.detail", event_id=event_id))


# ---------------------------------------------------------------- create and edit


def _event_form(form: EventForm, event: Event | None) -> EventForm:
    form.community_id.choices = community_choices(current_user)
    community_id = (
        form.community_id.data
        or (event.community_id if event else None)
        or (current_user.community_id)
    )
    form.compound_id.choices = [(0, _("— whole community —"))] + plannable_compounds(current_user)
    form.organiser_id.choices = queries.organiser_choices(current_user, community_id)
    return form


def _form_page(form, event, status=200):
    return render(
        "events/form.html",
        status=status,
        form=form,
        event=event,
        claim_warning=_claim_warning(form),
    )


def _claim_warning(form: EventForm):
    """The drive's day against its claim deadline, from what the form holds (typed or saved)."""
    days = form.claim_days.data if not form.claim_days.errors else None
    return services.claim_day_warning(
        form.kind.data, form.starts_at.data, form.notice_date.data, days
    )


@allow(OFFICE)
def new():
    return _edit(None)


@allow(SIGNED_IN)
def edit(event_id: int):
    return _edit(managed_event(event_id))


def _edit(event: Event | None):
    if request.method == "GET" and htmx and htmx.target == "claim_warning":
        # As the organiser types: the warning alone, from the form's values (nothing saved).
        return _form_page(EventForm(formdata=request.args, meta={"csrf": False}), event)
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
            if _attach_to_role_row(form, refused):
                return _form_page(form, event, refused.status)
            return show_refusal(refused, form, lambda status, f: _form_page(f, event, status))
        flash(_("Saved %(title)s.", title=saved.title), "success")
        warning = _claim_warning(form)
        if warning:
            flash(str(warning), "warning")  # saved all the same: a warning, not a refusal
        return redirect(url_for("events.detail", event_id=saved.id))
    return _form_page(form, event, 422 if form.is_submitted() else 200)


def _attach_to_role_row(form: EventForm, refused: Refused) -> bool:
    """A refusal about one role ("roles-2-capacity") shows at that role's own field."""
    name, _sep, rest = (refused.field or "").partition("-")
    index, _sep, field = rest.partition("-")
    if name == "roles" and index.isdecimal() and int(index) < len(form.roles.entries):
        row = form.roles.entries[int(index)].form
        if hasattr(row, field):
            return attach_to_form(row, Refused(refused.message, field=field))
    return False


def _form_defaults(event: Event | None) -> dict:
    if event is None:
        return {
            "community_id": current_user.community_id,
            "organiser_id": current_user.id,
            "claim_days": current_app.config["BIKE_CLAIM_DAYS"],
            "roles": [{"name": "", "capacity": None}] * (EXTRA_ROLE_ROWS + 1),
        }
    roles = [
        {"id": r.id, "name": r.name, "capacity": r.capacity, "registers_bikes": r.registers_bikes}
        for r in event.roles
    ]
    roles += [{"name": "", "capacity": None}] * EXTRA_ROLE_ROWS
    return {
        "kind": event.kind,
        "title": event.title,
        "community_id": event.community_id,
        "compound_id": event.compound_id or 0,
        "starts_at": to_local(event.starts_at),
        "ends_at": to_local(event.ends_at),
        "meeting_place": event.meeting_place,
        "bring": event.bring,
        "organiser_id": event.organiser_id,
        "description": event.description,
        "notice_date": event.notice_date,
        "claim_days": event.claim_days,
        "roles": roles,
    }


# ---------------------------------------------------------------- status changes


def _step(event_id: int, step, done_message: str):
    event = managed_event(event_id)
    try:
        step(current_user, event)
    except Refused as refused:
        return answer_on_event(event.id, str(refused.message), "error", refused.status)
    flash(done_message, "success")
    return redirect(url_for("events.detail", event_id=event.id))


@allow(SIGNED_IN)
def publish(event_id: int):
    return _step(event_id, services.publish, _("Published: people can sign up now."))


@allow(SIGNED_IN)
def start(event_id: int):
    return _step(event_id, services.start, _("Marked as under way."))


@allow(SIGNED_IN)
def finish(event_id: int):
    return _step(event_id, services.finish, _("Marked as done. Remember to confirm hours."))


@allow(SIGNED_IN)
def cancel(event_id: int):
    event = managed_event(event_id)
    form = CancelForm()

    def page(status, form, people=None):
        return render("events/cancel.html", status=status, form=form, event=event, people=people)

    if form.validate_on_submit():
        try:
            services.cancel(current_user, event, form.reason.data)
        except Refused as refused:
            return show_refusal(refused, form, page)
        flash(_("Cancelled. Everyone signed up will get a message."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return page(422 if form.is_submitted() else 200, form, len(queries.active_users(event)))


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


@public
def event_ics(event_id: int):
    event = queries.public_event(event_id)
    access.require(event is not None)
    body = feeds.build_calendar([event], event.title, _event_url)
    return _ics(body, f"event-{event.id}.ics")


@public
def calendar():
    # A feed names one community or none; a number that names none is not found (not "all").
    asked = request.args.get("community", "")
    community_id = parse_int(asked) if asked else None
    community = queries.get_community(community_id) if community_id else None
    access.require(not asked or community is not None)
    name = community.name if community else _("Beitaipingzhuang events")
    body = feeds.build_calendar(feeds.community_events(community_id), name, _event_url)
    return _ics(body, f"events-{community_id or 'all'}.ics")


def _event_url(event: Event) -> str:
    return url_for("events.detail", event_id=event.id, _external=True)
