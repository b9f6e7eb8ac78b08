"""The plans' views (their URLs: blueprint.py)."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from coordinator.access import ADMIN, OFFICE, allow
from coordinator.campaigns import targets as targeting
from coordinator.cases import queries as case_queries
from coordinator.cases.models import Case
from coordinator.categories import category_label
from coordinator.converters import parse_int
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import to_local, translated
from coordinator.paging import page_number
from coordinator.places.queries import community_choices
from coordinator.plans import queries, schedule, services
from coordinator.plans.forms import PauseForm, PlanForm
from coordinator.plans.models import OUTCOMES, SCHEDULE, Plan
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal
from coordinator.teams.queries import team_choices
from coordinator.warnings.models import KINDS, LEVELS


def _plan_or_404(plan_id: int) -> Plan:
    plan = queries.visible_plan(plan_id, current_user)
    if plan is None:
        abort(404)
    return plan


def _changeable_or_404(plan_id: int) -> Plan:
    plan = _plan_or_404(plan_id)
    if not services.may_change(current_user, plan):
        abort(404)
    return plan


@allow(OFFICE)
def index():
    page = queries.index_page(current_user, page_number())
    return render("plans/index.html", page=page, outcomes=OUTCOMES)


@allow(OFFICE)
def detail(plan_id: int):
    return _detail_page(_plan_or_404(plan_id))


def _detail_page(plan: Plan, status: int = 200):
    context = queries.detail(plan, page_number())
    return render(
        "plans/detail.html",
        status=status,
        outcomes=OUTCOMES,
        may_change=services.may_change(current_user, plan),
        pause_form=PauseForm(formdata=None, data={"version": plan.version}),
        campaign_url=_campaign_url,
        warning_kinds=translated(KINDS),
        warning_levels=translated(LEVELS),
        **context,
    )


def _campaign_url(campaign_id: int) -> str:
    try:
        return url_for("campaigns.detail", campaign_id=campaign_id)
    except Exception:  # the campaigns' page not installed here: its documented address
        return f"{request.script_root}/campaigns/{campaign_id}"


# ---------------------------------------------------------------- the form


def _choices(form: PlanForm) -> PlanForm:
    form.team_id.choices = [(0, _("Best match for each compound"))] + team_choices(current_user)
    communities = community_choices(current_user)
    if current_user.role == ADMIN:
        form.community_id.choices = [(0, _("The subdistrict's"))] + communities
        form.communities.choices = communities
    else:
        form.community_id.choices = [(current_user.community_id, _("My community's"))]
        form.communities.choices = []
    return form


def _page(form, plan, status=200, source_case=None):
    live = None
    if form.is_submitted() or plan is not None or source_case is not None:
        actor = services.scheduler_actor("", form.community_id.data or _own_community())
        live = targeting.count(form.targets(), actor)
    return render(
        "plans/form.html",
        status=status,
        form=form,
        plan=plan,
        source_case=source_case,
        live_count=live,
    )


def _own_community():
    return current_user.community_id if current_user.role != ADMIN else None


@allow(OFFICE)
def new():
    source_case = None
    if request.method == "GET":
        case_id = parse_int(request.args.get("case"))
        source_case = _source_case(case_id) if case_id else None
        form = PlanForm(formdata=None, data=_defaults_from_case(source_case))
    else:
        form = PlanForm()
        case_id = form.source_case_id.data
        source_case = _source_case(case_id) if case_id else None
        if case_id and source_case is None:
            form.source_case_id.data = None
    return _save(_choices(form), None, source_case)


@allow(OFFICE)
def edit(plan_id: int):
    plan = _changeable_or_404(plan_id)
    if request.method == "GET":
        form = PlanForm(formdata=None, data=_defaults_from_plan(plan))
        form.fill_targets(targeting.Targets.from_json(plan.criteria))
    else:
        form = PlanForm()
    return _save(_choices(form), plan, plan.source_case)


def _save(form: PlanForm, plan: Plan | None, source_case):
    def page(status, f):
        return _page(f, plan, status, source_case)

    if form.is_submitted() and "count" in request.form:  # the live count, nothing saved
        return page(200, form)
    if not form.validate_on_submit():
        return page(422 if form.is_submitted() else 200, form)
    try:
        saved = services.save_plan(
            current_user, form.plan_data(), plan, seen_version=form.version.data if plan else None
        )
    except Refused as refused:
        return show_refusal(refused, form, page)
    flash(_("Saved %(title)s.", title=saved.title), "success")
    return redirect(url_for("plans.detail", plan_id=saved.id))


def _source_case(case_id: int) -> Case | None:
    stmt = case_queries.visible(select(Case).where(Case.id == case_id), current_user)
    return db.session.scalar(stmt)


def _defaults_from_case(case: Case | None) -> dict:
    """A new plan; from a case: its work again, every 6 months, where the case's compound's
    kind of compound is (Ms Li's drain in an old compound → old compounds' drains)."""
    data = {"trigger": SCHEDULE, "freq": "MONTHLY", "interval": 1, "lead_days": 7}
    if current_user.role != ADMIN:
        data["community_id"] = current_user.community_id
    if case is None:
        return data
    compound = case.compound
    old = bool(compound and compound.is_old)
    label = category_label(case.category)
    title = (
        _("Regular %(category)s maintenance in old compounds", category=label)
        if old
        else _("Regular %(category)s maintenance", category=label)
    )
    lines = [_("After case #%(id)d: %(text)s", id=case.id, text=case.description[:200])]
    if case.root_cause:
        lines.append(_("Cause found: %(text)s", text=case.root_cause))
    if case.follow_up:
        lines.append(_("Follow-up: %(text)s", text=case.follow_up))
    data.update(
        title=title[:120],
        category=case.category,
        tier=case.tier if case.tier != "emergency" else "general",
        instructions="\n".join(lines)[:2000],
        old=old,
        kinds=[compound.kind] if compound and compound.kind else [],
        interval=6,
        lead_days=14,
        source_case_id=case.id,
    )
    return data


def _defaults_from_plan(plan: Plan) -> dict:
    data = {
        "title": plan.title,
        "category": plan.category,
        "tier": plan.tier,
        "instructions": plan.instructions,
        "checklist": plan.checklist,
        "team_id": plan.team_id or 0,
        "community_id": plan.community_id or 0,
        "trigger": plan.trigger,
        "lead_days": plan.lead_days,
        "warning_kinds": [k for k in plan.warning_kinds.split(",") if k],
        "min_level": plan.min_level,
        "version": plan.version,
        "source_case_id": plan.source_case_id,
    }
    if plan.trigger == SCHEDULE and plan.starts_at:
        start = to_local(plan.starts_at)
        data.update(starts_on=start.date(), at_time=start.strftime("%H:%M"))
        simple = schedule.simple_choices(plan.rrule)
        if simple is None:
            data["advanced"] = plan.rrule
        else:
            data.update(simple)
            data["month"] = simple["month"] or 0
    return data


# ---------------------------------------------------------------- pause and resume


def _set_active(plan_id: int, active: bool):
    plan = _changeable_or_404(plan_id)
    form = PauseForm()
    if not form.validate_on_submit() or form.version.data is None:
        abort(400)
    try:
        services.set_active(current_user, plan, active, form.version.data)
    except Refused as refused:
        flash(str(refused.message), "error")
        db.session.expire_all()
        return _detail_page(_plan_or_404(plan_id), refused.status)
    flash(_("Resumed.") if active else _("Paused: no work is made until it is resumed."), "success")
    return redirect(url_for("plans.detail", plan_id=plan_id))


@allow(OFFICE)
def pause(plan_id: int):
    return _set_active(plan_id, False)


@allow(OFFICE)
def resume(plan_id: int):
    return _set_active(plan_id, True)
