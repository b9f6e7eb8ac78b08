"""The places' views (their URLs: blueprint.py)."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from coordinator import access
from coordinator.access import ADMIN, OFFICE, SIGNED_IN, allow
from coordinator.i18n import gettext as _
from coordinator.places import queries, services
from coordinator.places.forms import (
    BuildingForm,
    CommunityForm,
    CompoundForm,
    GridCompoundsForm,
    GridForm,
)
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal


@allow(OFFICE)
def index():
    return render("places/index.html", **queries.overview(current_user))


def _community_page(community_id: int, grid_form=None, status: int = 200):
    """A community's page, with its grid form (as sent back, or new)."""
    found = queries.get_community(current_user, community_id)
    access.require(found is not None)
    if grid_form is None:
        grid_form = _grid_form(GridForm(), found.id)
    return render("places/community.html", status=status, community=found, grid_form=grid_form)


def _grid_form(form, community_id: int):
    form.worker_id.choices = [(0, _("— none —"))] + queries.staff_choices(community_id)
    form.compound_ids.choices = queries.compound_choices(community_id)
    return form


def _compound_page(compound_id: int, building_form=None, status: int = 200):
    """A compound's page, with its building form (as sent back, or new)."""
    found = queries.get_compound(current_user, compound_id)
    access.require(found is not None)
    return render(
        "places/compound.html",
        status=status,
        compound=found,
        building_form=building_form or BuildingForm(),
    )


@allow(OFFICE)
def community(community_id: int):
    return _community_page(community_id)


@allow(OFFICE)
def compound(compound_id: int):
    return _compound_page(compound_id)


@allow(SIGNED_IN)
def compound_options():
    """The compounds of one community, as <option>s for a dependent picker."""
    community_id = request.args.get("community_id", type=int)
    return render("places/compound_options.html", options=queries.compound_choices(community_id))


def _edit(template: str, form, save, saved_url, **context):
    """A place's own form: saved, the place's page; otherwise the form again, typing kept."""

    def page(status, form):
        return render(template, status=status, form=form, **context)

    if form.validate_on_submit():
        try:
            saved = save(form.data)
        except Refused as refused:
            return show_refusal(refused, form, page)
        flash(_("Saved %(name)s.", name=saved.name), "success")
        return redirect(saved_url(saved))
    return page(422 if form.is_submitted() else 200, form)


@allow(ADMIN)
def edit_community(community_id: int | None = None):
    found = None
    if community_id is not None:
        found = queries.get_community(current_user, community_id)
        access.require(found is not None)
    return _edit(
        "places/community_form.html",
        CommunityForm(obj=found),
        lambda data: services.save_community(data, found),
        lambda saved: url_for("places.community", community_id=saved.id),
        community=found,
    )


@allow(ADMIN)
def edit_compound(compound_id: int | None = None):
    found = None
    if compound_id is not None:
        found = queries.get_compound(current_user, compound_id)
        access.require(found is not None)
    form = CompoundForm(obj=found)
    form.community_id.choices = queries.community_choices(current_user)
    if request.method == "GET" and found is None:
        form.community_id.data = request.args.get("community_id", type=int)
    return _edit(
        "places/compound_form.html",
        form,
        lambda data: services.save_compound(data, found),
        lambda saved: url_for("places.compound", compound_id=saved.id),
        compound=found,
    )


def _add(form, add, page, added: str, place_url: str):
    """A building or a grid added from its place's page: whatever is refused, that page again
    with the form as it was sent (422), since the form is a part of it."""
    if form.validate_on_submit():
        try:
            add(form.data)
        except Refused as refused:
            return show_refusal(refused, form, lambda _status, form: page(form))
        flash(added, "success")
        return redirect(place_url)
    return page(form)


@allow(ADMIN)
def add_building(compound_id: int):
    found = queries.get_compound(current_user, compound_id)
    access.require(found is not None)
    return _add(
        BuildingForm(),
        lambda data: services.add_building(found, data),
        lambda form: _compound_page(compound_id, form, 422),
        _("Building added."),
        url_for("places.compound", compound_id=found.id),
    )


@allow(ADMIN)
def add_grid(community_id: int):
    found = queries.get_community(current_user, community_id)
    access.require(found is not None)
    return _add(
        _grid_form(GridForm(), found.id),
        lambda data: services.add_grid(found, data),
        lambda form: _community_page(community_id, form, 422),
        _("Grid added."),
        url_for("places.community", community_id=found.id),
    )


@allow(ADMIN)
def set_grid_compounds(grid_id: int):
    """A grid's compounds, changed from its community's page."""
    grid = queries.get_grid(current_user, grid_id)
    access.require(grid is not None)
    form = GridCompoundsForm()
    form.compound_ids.choices = queries.compound_choices(grid.community_id)
    if form.validate_on_submit():
        try:
            services.set_grid_compounds(grid, form.data)
        except Refused as refused:
            flash(str(refused.message), "error")
            return _community_page(grid.community_id, status=refused.status)
        flash(_("Saved %(name)s.", name=grid.name), "success")
        return redirect(url_for("places.community", community_id=grid.community_id))
    flash(_("Choose compounds of this community."), "error")
    return _community_page(grid.community_id, status=422)
