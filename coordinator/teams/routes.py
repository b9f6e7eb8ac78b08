"""The teams' views (their URLs: blueprint.py)."""

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from coordinator import access, plugins
from coordinator.access import OFFICE, TEAM_SIDE, allow
from coordinator.categories import category_labels
from coordinator.filters import chosen, options
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.paging import page_number
from coordinator.places.queries import community_choices, plannable_compounds
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal
from coordinator.teams import queries, services
from coordinator.teams.forms import CoverageForm, MemberForm, TeamForm
from coordinator.teams.models import kind_labels

SEARCH_MAX = 40  # characters of the search a list request looks for


def team_list_context():
    """Everything the team list needs; the page and its fragments share it."""
    args = request.args
    labels, kinds = category_labels(), kind_labels()
    choices = {
        "kind": [("", _("All kinds")), *kinds.items()],
        "skill": [("", _("All skills")), *labels.items()],
        "community": [(0, _("All communities")), *community_choices(current_user)],
    }
    current = {name: chosen(rows, args.get(name)) for name, rows in choices.items()}
    q = (args.get("q") or "").strip()
    page = queries.search_teams(
        current_user,
        q=q[:SEARCH_MAX],
        kind=current["kind"],
        skill=current["skill"],
        community_id=int(current["community"] or 0),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
    )
    return {
        "q": q,
        "page": page,
        "labels": labels,
        "kinds": kinds,
        "filters": {name: options(rows, current[name]) for name, rows in choices.items()},
        "can_create": services.can_edit(current_user, None),
    }


@allow(OFFICE | TEAM_SIDE)
def index():
    return render("teams/index.html", **team_list_context())


def _team_form(form):
    form.communities.choices = community_choices(current_user)
    form.compounds.choices = plannable_compounds(current_user)
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
        elsewhere=queries.coverage_elsewhere(current_user, team),
    )


def _visible_team(team_id: int):
    team = queries.get_team(current_user, team_id)
    access.require(team is not None)
    return team


@allow(OFFICE)
def new():
    return _edit(None)


@allow(OFFICE)
def edit(team_id: int):
    team = _visible_team(team_id)
    if not services.can_edit_coverage(current_user, team):
        raise Refused(_("You cannot edit this team."), status=403)
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
            return show_refusal(refused, form, lambda status, form: _form_page(form, team, status))
        flash(_("Saved %(name)s.", name=saved.name), "success")
        if not services.can_edit_coverage(current_user, saved):  # no longer theirs to see
            return redirect(url_for("teams.index"))
        return redirect(url_for("teams.detail", team_id=saved.id))
    return _form_page(form, team, 422 if form.is_submitted() else 200)


@allow(OFFICE)
def validate():
    """Inline validation: the form is checked as typed and the field's own block comes back."""
    team_id = request.args.get("team_id", type=int)
    team = queries.get_team(current_user, team_id) if team_id else None
    form = _team_form(TeamForm())
    form.validate()
    if form.name.data and not form.name.errors and queries.name_taken(form.name.data, team_id):
        form.name.errors = [_("A team with this name exists already.")]
    # Only the field being typed in shows its message; the rest wait for the submit.
    return _form_page(form, team)


@allow(OFFICE | TEAM_SIDE)
def detail(team_id: int):
    return _detail_page(_visible_team(team_id), MemberForm())


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


def _detail_page(team, member_form, status: int = 200):
    """A team's page, with its member form (as sent back, or new)."""
    return render("teams/detail.html", status=status, **_detail_context(team, member_form))


@allow(OFFICE | {access.LEAD})
def add_member(team_id: int):
    team = _visible_team(team_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            services.add_member(current_user, team, form.data)
        except Refused as refused:
            return show_refusal(
                refused, form, lambda status, form: _detail_page(team, form, status)
            )
        flash(_("Added %(name)s.", name=form.name.data), "success")
        if not request.headers.get("HX-Request"):
            return redirect(url_for("teams.detail", team_id=team.id))
        return _detail_page(team, MemberForm(formdata=None))
    return _detail_page(team, form, 422)


@allow(OFFICE | {access.LEAD})
def remove_member(team_id: int, member_id: int):
    team = _visible_team(team_id)
    services.remove_member(current_user, team, member_id)
    flash(_("Member removed."), "success")
    return redirect(url_for("teams.detail", team_id=team.id))
