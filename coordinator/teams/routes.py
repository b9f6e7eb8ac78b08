from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from coordinator import access, plugins
from coordinator.access import OFFICE, TEAM_SIDE, allow
from coordinator.categories import category_labels
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.paging import page_number
from coordinator.places.services import community_choices
from coordinator.rendering import render
from coordinator.rules import Refused, attach_to_form, refuse_page
from coordinator.teams import bp, services
from coordinator.teams.forms import CoverageForm, MemberForm, TeamForm, TeamSearchForm
from coordinator.teams.models import kind_labels


def team_list_context():
    """Everything the team list needs; the page and its fragments share it."""
    search = TeamSearchForm(request.args)
    search.community.choices = [(0, _("All communities"))] + community_choices(current_user)
    # A filter value that is not one of the choices is dropped, never an error page. (Checked
    # here rather than with validate(), which costs a catalog load on every list request.)
    for name in ("kind", "skill", "community"):
        field = search[name]
        if field.data not in {value for value, *_rest in field.choices}:
            field.data = field.default
    page = services.search_teams(
        current_user,
        q=(search.q.data or "")[:40],
        kind=search.kind.data or "",
        skill=search.skill.data or "",
        community_id=search.community.data or 0,
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
    )
    labels, kinds = category_labels(), kind_labels()
    return {
        "search": search,
        "page": page,
        "labels": labels,
        "kinds": kinds,
        "filters": _filter_options(
            search,
            {
                "kind": [("", _("All kinds")), *kinds.items()],
                "skill": [("", _("All skills")), *labels.items()],
                "community": search.community.choices,
            },
        ),
        "can_create": services.can_edit(current_user, None),
    }


@bp.get("/")
@allow(OFFICE | TEAM_SIDE)
def index():
    return render("teams/index.html", **team_list_context())


def _filter_options(search: TeamSearchForm, choices: dict) -> dict:
    """The filter drop-downs as (value, label, selected) rows, from labels translated once.

    Rendered by a plain loop in the template: WTForms' widgets cost more than the list itself.
    """
    options = {}
    for name, rows in choices.items():
        current = str(search[name].data or "")
        options[name] = [(str(value), label, str(value) == current) for value, label in rows]
    return options


def _team_form(form):
    form.communities.choices = community_choices(current_user)
    form.compounds.choices = services.compound_choices_by_community(current_user)
    return form


def _form_page(form, team, status=200):
    validate_url = url_for("teams.validate", team_id=team.id if team else None)
    return render(
        "teams/form.html",
        status=status,
        form=form,
        team=team,
        validate_url=validate_url,
        coverage_only=isinstance(form, CoverageForm),
        elsewhere=services.coverage_elsewhere(current_user, team),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(OFFICE)
def new():
    return _edit(None)


@bp.route("/<int:team_id>/edit", methods=["GET", "POST"])
@allow(OFFICE)
def edit(team_id: int):
    team = services.get_team(current_user, team_id)
    access.require(team is not None)
    if not services.can_edit_coverage(current_user, team):
        refuse_page(Refused(_("You cannot edit this team."), status=403))
    return _edit(team)


def _edit(team):
    # A team shared with other communities: staff edit their community's part of its area.
    coverage_only = team is not None and not services.can_edit(current_user, team)
    form = _team_form(CoverageForm(obj=team) if coverage_only else TeamForm(obj=team))
    if request.method == "GET" and team is not None:
        if not coverage_only:
            form.skills.data = team.skill_codes
        form.communities.data = [c.id for c in team.communities]
        form.compounds.data = [c.id for c in team.compounds]
    if form.validate_on_submit():
        try:
            if coverage_only:
                saved = services.save_coverage(current_user, team, form.data)
            else:
                saved = services.save_team(current_user, form.data, team)
        except Refused as refused:
            if not attach_to_form(form, refused):
                refuse_page(refused)
            return _form_page(form, team, refused.status)
        flash(_("Saved %(name)s.", name=saved.name), "success")
        if not services.can_edit_coverage(current_user, saved):  # no longer theirs to see
            return redirect(url_for("teams.index"))
        return redirect(url_for("teams.detail", team_id=saved.id))
    return _form_page(form, team, 422 if form.is_submitted() else 200)


@bp.post("/validate")
@allow(OFFICE)
def validate():
    """Inline validation: the form is checked as typed and the field's own block comes back."""
    team_id = request.args.get("team_id", type=int)
    team = services.get_team(current_user, team_id) if team_id else None
    form = _team_form(TeamForm())
    form.validate()
    if form.name.data and not form.name.errors and services.name_taken(form.name.data, team_id):
        form.name.errors = [_("A team with this name exists already.")]
    # Only the field being typed in shows its message; the rest wait for the submit.
    return _form_page(form, team)


@bp.get("/<int:team_id>")
@allow(OFFICE | TEAM_SIDE)
def detail(team_id: int):
    team = services.get_team(current_user, team_id)
    access.require(team is not None)
    return render("teams/detail.html", **_detail_context(team, MemberForm()))


def _detail_context(team, member_form):
    return {
        "team": team,
        "member_form": member_form,
        "button": ButtonForm(),
        # The team's track record, as the installed domains offer it (cases: jobs, times,
        # satisfaction): [{"template", "record"}].
        "records": plugins.team_records(team.id),
        "phones_visible": services.sees_member_phones(current_user, team),
        "can_edit": services.can_edit_coverage(current_user, team),
        "coverage_only": not services.can_edit(current_user, team),
        "can_manage": services.can_manage_members(current_user, team),
    }


@bp.post("/<int:team_id>/members")
@allow(OFFICE | {access.LEAD})
def add_member(team_id: int):
    team = services.get_team(current_user, team_id)
    access.require(team is not None)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            services.add_member(current_user, team, form.data)
        except Refused as refused:
            if not attach_to_form(form, refused):
                refuse_page(refused)
        else:
            flash(_("Added %(name)s.", name=form.name.data), "success")
            if not request.headers.get("HX-Request"):
                return redirect(url_for("teams.detail", team_id=team.id))
            form = MemberForm(formdata=None)
            return render("teams/detail.html", **_detail_context(team, form))
    return render("teams/detail.html", status=422, **_detail_context(team, form))


@bp.post("/<int:team_id>/members/<int:member_id>/remove")
@allow(OFFICE | {access.LEAD})
def remove_member(team_id: int, member_id: int):
    team = services.get_team(current_user, team_id)
    access.require(team is not None)
    if not ButtonForm().validate_on_submit():
        refuse_page(Refused(_("The form expired; please try again."), status=400))
    try:
        services.remove_member(current_user, team, member_id)
    except Refused as refused:
        refuse_page(refused)
    flash(_("Member removed."), "success")
    return redirect(url_for("teams.detail", team_id=team.id))
