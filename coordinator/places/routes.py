from flask import flash, redirect, request, url_for
from flask_login import current_user

from coordinator import access
from coordinator.access import ADMIN, OFFICE, SIGNED_IN, allow
from coordinator.i18n import gettext as _
from coordinator.places import bp, services
from coordinator.places.forms import BuildingForm, CommunityForm, CompoundForm, GridForm
from coordinator.rendering import render
from coordinator.rules import Refused, attach_to_form


@bp.get("/")
@allow(OFFICE)
def index():
    return render("places/index.html", **services.overview(current_user))


@bp.get("/communities/<int:community_id>")
@allow(OFFICE)
def community(community_id: int):
    found = services.get_community(current_user, community_id)
    access.require(found is not None)
    grid_form = GridForm()
    grid_form.worker_id.choices = [(0, _("— none —"))] + services.staff_choices(found.id)
    return render("places/community.html", community=found, grid_form=grid_form)


@bp.get("/compounds/<int:compound_id>")
@allow(OFFICE)
def compound(compound_id: int):
    found = services.get_compound(current_user, compound_id)
    access.require(found is not None)
    return render("places/compound.html", compound=found, building_form=BuildingForm())


@bp.get("/compound-options")
@allow(SIGNED_IN)
def compound_options():
    """The compounds of one community, as <option>s for a dependent picker."""
    community_id = request.args.get("community_id", type=int)
    return render("places/compound_options.html", options=services.compound_choices(community_id))


@bp.route("/communities/new", methods=["GET", "POST"])
@bp.route("/communities/<int:community_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def edit_community(community_id: int | None = None):
    found = None
    if community_id is not None:
        found = services.get_community(current_user, community_id)
        access.require(found is not None)
    form = CommunityForm(obj=found)
    if form.validate_on_submit():
        try:
            saved = services.save_community(form.data, found)
        except Refused as refused:
            attach_to_form(form, refused)
            return render(
                "places/community_form.html", status=refused.status, form=form, community=found
            )
        flash(_("Saved %(name)s.", name=saved.name), "success")
        return redirect(url_for("places.community", community_id=saved.id))
    status = 422 if form.is_submitted() else 200
    return render("places/community_form.html", status=status, form=form, community=found)


@bp.route("/compounds/new", methods=["GET", "POST"])
@bp.route("/compounds/<int:compound_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def edit_compound(compound_id: int | None = None):
    found = None
    if compound_id is not None:
        found = services.get_compound(current_user, compound_id)
        access.require(found is not None)
    form = CompoundForm(obj=found)
    form.community_id.choices = services.community_choices(current_user)
    if request.method == "GET" and found is None:
        form.community_id.data = request.args.get("community_id", type=int)
    if form.validate_on_submit():
        try:
            saved = services.save_compound(form.data, found)
        except Refused as refused:
            attach_to_form(form, refused)
            return render(
                "places/compound_form.html", status=refused.status, form=form, compound=found
            )
        flash(_("Saved %(name)s.", name=saved.name), "success")
        return redirect(url_for("places.compound", compound_id=saved.id))
    status = 422 if form.is_submitted() else 200
    return render("places/compound_form.html", status=status, form=form, compound=found)


@bp.post("/compounds/<int:compound_id>/buildings")
@allow(ADMIN)
def add_building(compound_id: int):
    found = services.get_compound(current_user, compound_id)
    access.require(found is not None)
    form = BuildingForm()
    if form.validate_on_submit():
        try:
            services.add_building(found, form.data)
        except Refused as refused:
            attach_to_form(form, refused)
        else:
            flash(_("Building added."), "success")
            return redirect(url_for("places.compound", compound_id=found.id))
    found = services.get_compound(current_user, compound_id)
    return render("places/compound.html", status=422, compound=found, building_form=form)


@bp.post("/communities/<int:community_id>/grids")
@allow(ADMIN)
def add_grid(community_id: int):
    found = services.get_community(current_user, community_id)
    access.require(found is not None)
    form = GridForm()
    form.worker_id.choices = [(0, _("— none —"))] + services.staff_choices(found.id)
    if form.validate_on_submit():
        try:
            services.add_grid(found, form.data)
        except Refused as refused:
            attach_to_form(form, refused)
        else:
            flash(_("Grid added."), "success")
            return redirect(url_for("places.community", community_id=found.id))
    found = services.get_community(current_user, community_id)
    return render("places/community.html", status=422, community=found, grid_form=form)
