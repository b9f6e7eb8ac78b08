import re

import segno
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup

from coordinator import access
from coordinator.access import OFFICE, SIGNED_IN, allow, public
from coordinator.bikes import calendar_day, queries, services
from coordinator.bikes.forms import (
    BRANDS,
    COLOUR_LABELS,
    BikeForm,
    ClaimForm,
    HandoverForm,
)
from coordinator.bikes.models import STATUSES, TO_RECYCLE
from coordinator.converters import INT_MAX
from coordinator.events.models import Event
from coordinator.extensions import htmx, limiter
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.paging import page_number, paginate
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal


def qr_svg(url: str, scale: int = 4) -> Markup:
    """A QR code as inline SVG: prints sharp and needs no image request."""
    return Markup(segno.make(url, error="m").svg_inline(scale=scale, border=2))


def claim_url(event_id: int, tag: int | None = None) -> str:
    code = f"{event_id}-{tag}" if tag else str(event_id)
    return url_for("bikes.claim", code=code, _external=True)


def _drive(event_id: int) -> Event:
    event = queries.get_drive(current_user, event_id)
    access.require(event is not None)
    return event


def _drive_to_register(event_id: int) -> tuple[Event, bool]:
    """The drive and whether the reader runs it (the office), or is a volunteer registering
    bikes at it while it runs (queries.registrar_drive); anyone else: not found."""
    if current_user.role in OFFICE:
        return _drive(event_id), True
    event = queries.registrar_drive(current_user, event_id)
    if event is None:
        access.require(queries.registrar_drive(current_user, event_id, any_time=True) is not None)
        raise Refused(
            _("You can register bikes here from two hours before the start until the end."),
            status=409,
        )
    return event, False


@allow(OFFICE)
def index():
    page = paginate(queries.drives(current_user), page_number(), current_app.config["PER_PAGE"])
    counts = services.tally(e.id for e in page.items)
    return render("bikes/index.html", page=page, counts=counts)


# --- the register -------------------------------------------------------------------------


def register_context(event, form=None, handover_form=None, saved=None, office=True):
    """Everything the register page shows; every route that renders it comes through here.
    A volunteer registering bikes (office False) gets the entry form alone: no claims (owners'
    numbers), no handover, no list."""
    status = request.args.get("status", "")
    if form is None:
        form = BikeForm(formdata=None)
        form.location.data = services.last_location(event.id)
    counts = services.tally([event.id])[event.id]
    entry = {
        "event": event,
        "form": form,
        "office": office,
        "saved": saved,
        "takes_bikes": services.takes_bikes(event),
        "colours": COLOUR_LABELS,
        "brands": BRANDS,
        "deadline": services.claim_deadline(event),
        "counts": counts,
    }
    if not office:
        return entry
    if handover_form is None:
        handover_form = HandoverForm(formdata=None)
        handover_form.handed_at.data = services.local_date()
        handover_form.count.data = counts[TO_RECYCLE]
    page = services.list_bikes(
        event, status=status, page=page_number(), per_page=current_app.config["PER_PAGE"]
    )
    from coordinator.uploads.queries import photos_of

    return {
        **entry,
        "handover_form": handover_form,
        "button": ButtonForm(),
        "page": page,
        "status_filter": status,
        "statuses": STATUSES,
        "photos": photos_of("bike", [b.id for b in page.items]),
        "claims": services.pending_claims(event),
        "handovers": services.handovers(event),
        "deadline_end": services.claim_deadline_end(event),
        "claims_open": services.claims_open(event),
        "may_recycle": services.may_move_to_recycle(event),
        "claim_link": claim_url(event.id),
    }


def _register_page(event, status=200, **kw):
    return render("bikes/register.html", status=status, **register_context(event, **kw))


def _back_to_register(event, message=None, **kw):
    """After a change: the sheet again for htmx, a redirect (PRG) for a plain form post."""
    if htmx and not htmx.boosted:
        return _register_page(event, **kw)
    if message:
        flash(message, "success")
    return redirect(url_for("bikes.register", event_id=event.id))


@allow(SIGNED_IN)
def register(event_id: int):
    event, office = _drive_to_register(event_id)
    saved = request.args.get("saved", type=int)
    return _register_page(event, saved=saved, office=office)


@allow(SIGNED_IN)
def add_bike(event_id: int):
    event, office = _drive_to_register(event_id)
    form = BikeForm()
    if form.validate_on_submit():
        try:
            bike = services.register_bike(
                current_user, event, form.data, photo=request.files.get("photo")
            )
        except Refused as refused:
            return show_refusal(
                refused,
                form,
                lambda status, f: _register_page(event, status=status, form=f, office=office),
            )
        # Save and next: a fresh form, the location kept, the new tag number shown big.
        if htmx and not htmx.boosted:
            return _register_page(event, saved=bike.tag_number, office=office)
        flash(_("Bike %(tag)d registered.", tag=bike.tag_number), "success")
        return redirect(url_for("bikes.register", event_id=event.id, saved=bike.tag_number))
    return _register_page(event, status=422, form=form, office=office)


@allow(OFFICE)
def confirm_claim(event_id: int, claim_id: int):
    event = _drive(event_id)
    bike = services.confirm_claim(current_user, event, claim_id)
    return _back_to_register(event, _("Bike %(tag)d released to its owner.", tag=bike.tag_number))


@allow(OFFICE)
def reject_claim(event_id: int, claim_id: int):
    event = _drive(event_id)
    services.reject_claim(current_user, event, claim_id)
    return _back_to_register(event, _("Claim closed; the bike stays in the register."))


@allow(OFFICE)
def move_to_recycle(event_id: int):
    event = _drive(event_id)
    moved = services.move_unclaimed_to_recycle(current_user, event)
    return _back_to_register(event, _("%(n)d unclaimed bikes moved to recycling.", n=moved))


@allow(OFFICE)
def handover(event_id: int):
    event = _drive(event_id)
    form = HandoverForm()
    if form.validate_on_submit():
        try:
            done = services.record_handover(current_user, event, form.data)
        except Refused as refused:
            return show_refusal(
                refused,
                form,
                lambda status, f: _register_page(event, status=status, handover_form=f),
            )
        return _back_to_register(
            event, _("Handover recorded: %(n)d bikes.", n=done.count + done.reused)
        )
    return _register_page(event, status=422, handover_form=form)


# --- printables ---------------------------------------------------------------------------


def notice_context(event):
    deadline = services.claim_deadline(event)
    link = claim_url(event.id)
    office = event.community.office_phone if event.community else ""
    place = event.compound.name if event.compound else event.community.name
    day = calendar_day(deadline) if deadline else _("(date to be set)")
    wechat = _(
        "[Notice] Abandoned bikes in %(place)s will be cleared. If one of the tagged bikes is "
        "yours, please claim it by %(day)s: scan the QR code on its tag, or open %(link)s and "
        "enter the tag number and your mobile number; staff will call you to hand it over. "
        "Bikes not claimed by then go to the subdistrict for recycling. Questions: "
        "%(phone)s (%(community)s).",
        place=place,
        day=day,
        link=link,
        phone=office or "—",
        community=event.community.name,
    )
    return {
        "event": event,
        "deadline": deadline,
        "claim_link": link,
        "qr": qr_svg(link, 5),
        "office_phone": office,
        "place": place,
        "wechat": wechat,
    }


@allow(OFFICE)
def notice(event_id: int):
    return render("bikes/notice.html", **notice_context(_drive(event_id)))


@allow(OFFICE)
def tags(event_id: int):
    event = _drive(event_id)
    first = request.args.get("from", type=int)
    last = request.args.get("to", type=int)
    bikes = services.bikes_for_tags(event, first, last)
    tags_ = []
    for bike in bikes:
        link = claim_url(event.id, bike.tag_number)
        tags_.append({"bike": bike, "url": link, "qr": qr_svg(link, 3)})
    return render(
        "bikes/tags.html",
        event=event,
        tags=tags_,
        first=first,
        last=last,
        deadline=services.claim_deadline(event),
    )


# --- the owner's claim --------------------------------------------------------------------

CLAIM_CODE = re.compile(r"([0-9]{1,10})(?:-([0-9]{1,10}))?")


def _parse_code(code: str) -> tuple[int, int | None]:
    """ "12" or "12-7" (drive, tag) in ASCII digits: str.isdigit() also takes "²", which int()
    refuses; and no number beyond any row's id reaches the database."""
    match = CLAIM_CODE.fullmatch(code)
    access.require(match is not None)
    event_id, tag = int(match[1]), int(match[2]) if match[2] else None
    access.require(event_id <= INT_MAX and (tag is None or tag <= INT_MAX))
    return event_id, tag


def claim_context(event, form, claimed=None):
    return {
        "event": event,
        "form": form,
        "claimed": claimed,
        "deadline": services.claim_deadline(event),
        "claims_open": services.claims_open(event),
        "office_phone": event.community.office_phone if event.community else "",
    }


def _claim_limit() -> str:
    return current_app.config["CLAIM_RATE_LIMIT"]


@public
@limiter.limit(_claim_limit, methods=["POST"])
def claim(code: str):
    event_id, tag = _parse_code(code)
    event = queries.get_public_drive(event_id)
    access.require(event is not None)
    form = ClaimForm()
    if request.method == "GET" and tag:
        form.tag.data = tag
    if form.validate_on_submit():
        try:
            made = services.submit_claim(event, form.tag.data, form.phone.data)
        except Refused as refused:
            return show_refusal(
                refused,
                form,
                lambda status, f: render(
                    "bikes/claim.html", status=status, **claim_context(event, f)
                ),
            )
        return render("bikes/claim.html", **claim_context(event, form, claimed=made))
    status = 422 if form.is_submitted() else 200
    return render("bikes/claim.html", status=status, **claim_context(event, form))
