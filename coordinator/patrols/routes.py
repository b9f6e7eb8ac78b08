"""The patrols' views (their URLs: blueprint.py). Each step of the round is a plain form that
posts and comes back to its compound's card (#compound-<id>); htmx swaps that card in place."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from coordinator import access, filters
from coordinator.access import OFFICE, STAFF, allow
from coordinator.forms import ButtonForm
from coordinator.i18n import calendar_day, translated
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.patrols import queries, services
from coordinator.patrols.forms import ArriveForm, CheckForm
from coordinator.places.models import KIND_LABELS
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal

WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


def _back(compound_id: int):
    return redirect(url_for("patrols.today", _anchor=f"compound-{compound_id}"), 303)


def today_page(status: int = 200, failed: dict | None = None):
    """Today's round; `failed` = the item form sent back with its errors and what was typed
    ({"visit_id", "item", "form"})."""
    context = queries.today(current_user)
    return render(
        "patrols/today.html",
        status=status,
        walks=current_user.role == STAFF,
        failed=failed or {},
        day_text=calendar_day(context["day"]),
        kinds=translated(KIND_LABELS),
        clock=queries.clock,
        **context,
    )


@allow(OFFICE)
def today():
    """My patrol today: the compounds of my grids (staff who are grid workers); the admin
    looks at every grid's round."""
    return today_page()


@allow(STAFF)
def arrive():
    """Start here: the arrival at a compound of one of my grids."""
    form = ArriveForm()
    access.require(form.validate_on_submit())
    grid = queries.my_grid(current_user, form.grid_id.data)
    access.require(grid is not None and queries.grid_has(grid.id, form.compound_id.data))
    services.arrive(current_user, grid, form.compound_id.data)
    return _back(form.compound_id.data)


@allow(STAFF)
def check(visit_id: int):
    """One checklist item: OK, or a problem with its note and photo (a case at once)."""
    visit = queries.my_visit(current_user, visit_id)
    access.require(visit is not None)
    form = CheckForm()
    item = (form.item.data or "")[:30]

    def page(status, form):
        return today_page(status, {"visit_id": visit_id, "item": item, "form": form})

    if not form.validate_on_submit() or form.result.data not in ("ok", "problem"):
        return page(422, form)
    try:
        made = services.check(
            current_user, visit, item, form.ok, form.note.data or "", form.photo.data
        )
    except Refused as refused:
        if refused.field is None and refused.status == 409:
            flash(str(refused.message), "error")
            return page(409, CheckForm(formdata=None))
        return show_refusal(refused, form, page)
    if made.case_id:
        flash(_("Problem recorded: case #%(id)d opened.", id=made.case_id), "success")
    return _back(visit.compound_id)


@allow(STAFF)
def leave(visit_id: int):
    """Leave the compound: the time on site is recorded."""
    visit = queries.my_visit(current_user, visit_id)
    access.require(visit is not None)
    form = ButtonForm()
    access.require(form.validate_on_submit())
    compound_id = visit.compound_id
    try:
        services.leave(current_user, visit)
    except Refused as refused:
        flash(str(refused.message), "error")
        return today_page(409)
    return _back(compound_id)


@allow(OFFICE)
def log():
    """The patrol log: every visit with its time on site and the problems found (admin: all
    communities; staff: their own)."""
    chosen = queries.log_filters(request.args)
    choices = queries.filter_choices(current_user)
    worker_rows = [("", _("All grid workers"))] + choices["workers"]
    grid_rows = [("", _("All grids"))] + choices["grids"]
    return render(
        "patrols/log.html",
        page=queries.log(current_user, chosen),
        chosen=chosen,
        worker_options=filters.options(worker_rows, chosen.worker or ""),
        grid_options=filters.options(grid_rows, chosen.grid or ""),
    )


@allow(OFFICE)
def coverage():
    """The week's coverage (Monday to Sunday, Beijing): compounds × days, who walked them,
    the compounds nobody patrolled first."""
    monday = queries.week_of(request.args.get("week"))
    shown = queries.coverage(current_user, monday)
    return render(
        "patrols/coverage.html",
        span=(calendar_day(shown["days"][0]), calendar_day(shown["days"][-1])),
        weekdays=[str(name) for name in WEEKDAYS],
        **shown,
    )
