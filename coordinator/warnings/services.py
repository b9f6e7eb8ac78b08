"""Use cases of weather warnings: recording one, which at once runs the plans bound to it.

Recording a warning and running its plans are one unit of work: the warning, and for every
active plan with trigger "warning" that answers its kind at its level, a PlanRun row and the
plan's campaign (one case per target compound, campaigns.services.launch, channel "plan").

- **Exactly once.** The PlanRun row (unique plan × warning) is taken first, with INSERT … ON
  CONFLICT DO NOTHING: running the plans of a warning again (twice, or on two hosts) finds it
  taken and makes nothing.
- **A plan that cannot make its work does not lose the warning.** People need the warning on
  the board whatever a plan does; so each plan's work is made inside a savepoint, and a
  refusal (no team covers a compound, the chosen team has no room) undoes that plan's work
  only: its run is recorded "failed" with the reason, which the warning's page shows, and the
  other plans' work and the warning are saved.
- **Due before the warning starts** (`work_due`): an hour before it starts, so the branches
  are down before the wind is up; with less than an hour left, at the start itself; and once
  it has started, now: the work is overdue from the moment it exists, which pins it in red on
  top of the board (the board's "overdue" list), the nearest the app has to "at once". The
  deadline is each case's `deadline_at` (accepting never gives a later due time) and due_at.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from coordinator.campaigns import services as campaigns
from coordinator.campaigns import targets as targeting
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.plans import services as plans
from coordinator.plans.models import CREATED, EMPTY, FAILED, WARNING, Plan, PlanRun
from coordinator.rules import Refused
from coordinator.warnings import words
from coordinator.warnings.models import KINDS, LEVEL_ORDER, LEVELS, WeatherWarning
from coordinator.warnings.parsing import MAX_TEXT, clean
from coordinator.work import unit_of_work

DUE_BEFORE = timedelta(hours=1)  # the work is done this long before the warning starts
# A warning lasts hours to days (a heat wave: a week or two); it is issued hours to days ahead.
LONGEST = timedelta(days=31)
AHEAD = timedelta(days=31)
DEFAULT_AREA = "全市"


@dataclass
class Recorded:
    warning: WeatherWarning
    runs: list[PlanRun]


def work_due(warning: WeatherWarning, now: datetime) -> datetime:
    """When the work a warning makes is due (the module note): never after it starts."""
    if warning.valid_from - DUE_BEFORE >= now:
        return warning.valid_from - DUE_BEFORE
    return warning.valid_from if warning.valid_from > now else now


def check(data: dict, now: datetime) -> None:
    """The rules of a warning as recorded (UTC times): a known kind and level; it ends after
    it starts, lasts at most a month, has not ended yet and starts within a month; it was
    issued before it ends. Refused at the field concerned (422)."""
    if data.get("kind") not in KINDS:
        raise Refused(_l("Choose the kind of warning."), field="kind", status=422)
    if data.get("level") not in LEVELS:
        raise Refused(_l("Choose the level of the warning."), field="level", status=422)
    start, end = data.get("valid_from"), data.get("valid_to")
    if start is None:
        raise Refused(_l("Enter when the warning starts."), field="valid_from", status=422)
    if end is None:
        raise Refused(_l("Enter when the warning ends."), field="valid_to", status=422)
    if end <= start:
        raise Refused(_l("The end must come after the start."), field="valid_to", status=422)
    if end - start > LONGEST:
        raise Refused(_l("A warning lasts at most a month."), field="valid_to", status=422)
    if end <= now:
        raise Refused(
            _l("This warning has already ended: there is nothing left to prepare for."),
            field="valid_to",
            status=422,
        )
    if start > now + AHEAD:
        raise Refused(
            _l("A warning is issued at most a month ahead: check the start."),
            field="valid_from",
            status=422,
        )
    issued = data.get("issued_at")
    if issued is not None and (issued > end or issued > now + timedelta(days=1)):
        raise Refused(
            _l("It cannot have been issued after it ends or in the future."),
            field="issued_at",
            status=422,
        )


def record(actor, data: dict, now: datetime | None = None) -> Recorded:
    """Record a warning as issued and run the plans bound to it, in one unit of work.

    data: kind, level, valid_from, valid_to, issued_at (UTC, naive), area, text."""
    now = now or utcnow()
    check(data, now)
    with unit_of_work():
        warning = WeatherWarning(
            kind=data["kind"],
            level=data["level"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            issued_at=data.get("issued_at"),
            area=(clean(data.get("area") or "")[:200] or DEFAULT_AREA),
            text=clean(data.get("text") or "")[:MAX_TEXT],
            created_by_id=getattr(actor, "id", None),
            created_at=now,
        )
        db.session.add(warning)
        db.session.flush()
        runs = run_plans(actor, warning, now=now)
    return Recorded(warning, runs)


def answers(plan: Plan, warning: WeatherWarning) -> bool:
    """A plan answers a warning of one of its kinds at its lowest level or above."""
    kinds = {k.strip() for k in (plan.warning_kinds or "").split(",") if k.strip()}
    return (
        warning.kind in kinds
        and plan.min_level in LEVEL_ORDER
        and LEVEL_ORDER[warning.level] >= LEVEL_ORDER[plan.min_level]
    )


def bound_plans(warning: WeatherWarning) -> list[Plan]:
    """The active plans bound to warnings that answer this one, oldest first."""
    stmt = (
        select(Plan)
        .where(Plan.active.is_(True), Plan.trigger == WARNING)
        .where(Plan.warning_kinds.contains(warning.kind))
        .order_by(Plan.id)
    )
    return [plan for plan in db.session.scalars(stmt) if answers(plan, warning)]


def run_plans(actor, warning: WeatherWarning, now: datetime | None = None) -> list[PlanRun]:
    """Run every plan bound to the warning that has not run for it yet (the module note):
    the runs made now (a plan already run for this warning is skipped)."""
    now = now or utcnow()
    runs = []
    with unit_of_work():
        for plan in bound_plans(warning):
            run = _take_run(plan, warning, now)
            if run is not None:
                _make_work(actor, plan, warning, run, now)
                runs.append(run)
    return runs


def _take_run(plan: Plan, warning: WeatherWarning, now: datetime) -> PlanRun | None:
    """The plan's run for this warning, or None when it is taken (it ran already)."""
    run_id = plans.take_run(plan.id, now, {"warning_id": warning.id}, EMPTY)
    return db.session.get(PlanRun, run_id) if run_id is not None else None


def _make_work(actor, plan: Plan, warning: WeatherWarning, run: PlanRun, now: datetime):
    """The plan's campaign for the warning, in a savepoint; the run says what came of it."""
    criteria = targeting.Targets.from_json(plan.criteria)
    on_behalf = plans.scheduler_actor(plan.title, plan.community_id, by=actor)
    compounds = targeting.compounds(criteria, on_behalf)
    if not compounds:
        run.outcome, run.note = EMPTY, ""
        return
    work = plans.plan_work(
        plan,
        work_due(warning, now),
        title=_(
            "%(plan)s (%(warning)s)",
            plan=plan.title,
            warning=words.name(warning.kind, warning.level),
        ),
    )
    try:
        with db.session.begin_nested():
            campaign = campaigns.launch(
                on_behalf,
                work,
                compounds,
                criteria=criteria,
                now=now,
                warning_id=warning.id,
                source_case_id=plan.source_case_id,
            )
    except Refused as refused:
        run.outcome, run.note, run.work_count = FAILED, str(refused.message)[:1000], 0
        return
    run.outcome, run.campaign_id, run.work_count = CREATED, campaign.id, len(compounds)
