"""Handlers of volunteers (the URL map is blueprint.py): joining, a volunteer's own hours, and
the office's service records with their files."""

import re

from flask import Response, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_user

from coordinator import access
from coordinator.access import OFFICE, SIGNED_IN, allow, public
from coordinator.converters import parse_int
from coordinator.events import feeds
from coordinator.events.routes import community_filter_choices
from coordinator.exports.forms import FullExportForm
from coordinator.exports.services import log_full_export, may_export_in_full
from coordinator.extensions import limiter
from coordinator.filters import chosen, options
from coordinator.forms import ButtonForm, date_arg
from coordinator.i18n import gettext as _
from coordinator.i18n import local_date, utcnow
from coordinator.places.queries import community_choices
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal
from coordinator.volunteers import export, queries, services
from coordinator.volunteers.forms import JoinForm


@public
@limiter.limit("5 per minute; 30 per hour", methods=["POST"])
def join():
    if current_user.is_authenticated:
        return redirect(url_for("events.index"))
    form = JoinForm()
    form.community_id.choices = [(0, _("— choose —"))] + community_filter_choices()

    def page(status, form):
        return render("volunteers/join.html", status=status, form=form)

    if form.validate_on_submit():
        try:
            user = services.register_volunteer(form.data)
        except Refused as refused:
            return show_refusal(refused, form, page)
        login_user(user)
        flash(_("Welcome, %(name)s! Pick an event and sign up.", name=user.name), "success")
        return redirect(url_for("events.index"))
    return page(422 if form.is_submitted() else 200, form)


def my_hours_context(correcting=None, form=None):
    signups, total = queries.my_hours(current_user)
    return {
        "calendar": calendar_links(queries.calendar_token(current_user.id)),
        "signups": signups,
        "total": total,
        "correcting": correcting,
        "form": form,
        "now": utcnow(),
        "button": ButtonForm(),
    }


@allow(SIGNED_IN)
def my_hours():
    return render("volunteers/my_hours.html", **my_hours_context())


# ---------------------------------------------------------------- my own calendar feed

FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def calendar_links(token: str | None) -> dict | None:
    """The calendar's two addresses: webcal:// (a tap on an iPhone subscribes) and https://
    (what Google Calendar's "from URL" and others take)."""
    if not token:
        return None
    https = url_for("volunteers.my_feed", token=token, _external=True)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@allow(SIGNED_IN)
def my_calendar():
    """Make my calendar address, or reset it (the old one stops working)."""
    had = queries.calendar_token(current_user.id)
    services.issue_calendar_feed(current_user)
    if had:
        flash(_("New calendar address made; the old one no longer works."), "success")
    else:
        flash(_("Your calendar address is ready: subscribe to it below."), "success")
    return redirect(url_for("volunteers.my_hours") + "#calendar")


def _feed_limit() -> str:
    return current_app.config["CALENDAR_FEED_RATE_LIMIT"]


@public
@limiter.limit(_feed_limit)
def my_feed(token: str):
    """A person's own calendar, for calendar apps that have no session: the secret in the
    address is the key; a wrong or reset one is not found."""
    owner = queries.feed_owner(token) if FEED_TOKEN.fullmatch(token) else None
    access.require(owner is not None)
    events, mine = feeds.personal_events(owner.id)
    body = feeds.build_calendar(
        events,
        _("My volunteer events"),
        lambda event: url_for("events.detail", event_id=event.id, _external=True),
        mine=mine,
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="my-events.ics"',
            # The address is a secret: no shared cache keeps it, nor its answer.
            "Cache-Control": "private, max-age=300",
        },
    )


# ---------------------------------------------------------------- service records


def _records_filters() -> tuple[dict, dict]:
    """The filters from the query string: (the drop-downs' rows and the dates as typed, the
    values for the query). A value that is not a choice or not a date is dropped."""
    args = request.args
    communities = [(0, _("All communities")), *community_choices(current_user)]
    community = parse_int(chosen(communities, args.get("community")))
    shown = {
        "community": options(communities, community),
        "date_from": " ".join(args.getlist("date_from")),
        "date_to": " ".join(args.getlist("date_to")),
    }
    return shown, {
        "community_id": community or 0,
        "date_from": date_arg(args.getlist("date_from")),
        "date_to": date_arg(args.getlist("date_to")),
    }


def records_context(full_form=None):
    """The records page and its fragment; admins also get the full-export form."""
    filters, values = _records_filters()
    rows = queries.rows(current_user, **values)
    if full_form is None and may_export_in_full(current_user):
        full_form = FullExportForm(formdata=None)
    return {
        "filters": filters,
        "rows": rows[:200],
        "total": len(rows),
        "columns": [str(c) for c in export.COLUMNS],
        "args": request.args.to_dict(),
        "full_form": full_form,
    }


@allow(OFFICE)
def records():
    return render("volunteers/records.html", **records_context())


def _records_download(fmt: str, rows: list[list]) -> Response:
    name = f"service-records-{local_date().isoformat()}.{fmt}"
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


@allow(OFFICE)
def records_file(fmt: str):
    """The records with ID numbers masked, for anyone who may see them."""
    _shown, values = _records_filters()
    return _records_download(fmt, queries.rows(current_user, **values))


@allow(access.ADMIN)
def records_full():
    """ID numbers in full: an admin states the official purpose; the request is logged
    (who, when, purpose, filter) before the file is made. The filter is the page's query."""
    full_form = FullExportForm()

    def page(status, form):
        return render("volunteers/records.html", status=status, **records_context(form))

    if full_form.validate_on_submit():
        _shown, values = _records_filters()
        rows = queries.rows(current_user, full_ids=True, **values)
        try:
            log_full_export(current_user, export.EXPORT, full_form.purpose.data, values, len(rows))
        except Refused as refused:
            return show_refusal(refused, full_form, page)
        return _records_download(full_form.fmt.data, rows)
    return page(422, full_form)
