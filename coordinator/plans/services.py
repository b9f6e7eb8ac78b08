"""Use cases of plans: saving one, pausing and resuming it, and running what is due.

`run_due()` is `flask plans run` (and the delivery worker's periodic job): for every active
plan on a schedule, the occurrences whose work is due and not yet run. Each occurrence is its
own transaction, which first takes the occurrence's unique key (plan_runs (plan_id,
occurrence_at)) with INSERT … ON CONFLICT DO NOTHING, then makes the work through
`campaigns.services.launch`: a second run, at the same moment or on another host, finds the
key taken (PostgreSQL makes it wait for the first to commit) and makes nothing. One plan's
failure undoes only its own occurrence.

Who makes the work: not the plan's creator (who may have left, changed role or community
since), but the plan itself, as a system actor (`scheduler_actor`, a PlanActor) named
"计划：<title>" in every trail, with the scope of the plan's owner: the subdistrict admin's for
a subdistrict plan, the community staff's for a community's plan, so a community's plan only
ever targets and dispatches in its own community (places.visible, workflow's scope check).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update

from coordinator import access
from coordinator.campaigns import targets as targeting
from coordinator.campaigns.services import Work, launch
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.plans import schedule
from coordinator.plans.models import (
    CREATED,
    EMPTY,
    FAILED,
    MISSED,
    SCHEDULE,
    WARNING,
    Plan,
    PlanRun,
)
from coordinator.rules import Refused
from coordinator.work import Conflict, insert_for, unit_of_work

log = logging.getLogger(__name__)

FIELDS = (
    "title",
    "category",
    "instructions",
    "checklist",
    "tier",
    "team_id",
    "criteria",
    "community_id",
    "trigger",
    "rrule",
    "starts_at",
    "lead_days",
    "warning_kinds",
    "min_level",
    "source_case_id",
)


# ---------------------------------------------------------------- saving, pausing


def may_change(actor, plan: Plan) -> bool:
    """Admins change every plan; staff their own community's (the subdistrict's: read only)."""
    if actor.role == access.ADMIN:
        return True
    return actor.role == access.STAFF and plan.community_id == actor.community_id


def save_plan(actor, data: dict, plan: Plan | None = None, seen_version: int | None = None):
    """A new plan, or the plan changed on the version the editor read (else 409)."""
    if plan is not None and not may_change(actor, plan):
        raise Refused(_l("This plan is not yours to change."), status=403)
    if actor.role != access.ADMIN:
        data = {**data, "community_id": actor.community_id}
    with unit_of_work():
        if plan is None:
            plan = Plan(created_by_id=getattr(actor, "id", None), created_at=utcnow())
            db.session.add(plan)
        elif seen_version is not None and plan.version != seen_version:
            raise Conflict()
        for name in FIELDS:
            if name in data:
                setattr(plan, name, data[name])
        if plan.trigger == WARNING:
            plan.rrule, plan.starts_at = "", None
        db.session.flush()
    return plan


def set_active(actor, plan: Plan, active: bool, seen_version: int) -> Plan:
    """Pause or resume: a conditional write on the version the page showed (409 if it moved).
    A resumed plan does not make up for the pause: the occurrences it slept through are
    recorded missed at the next run, and only the latest due one gets work."""
    if not may_change(actor, plan):
        raise Refused(_l("This plan is not yours to change."), status=403)
    with unit_of_work():
        result = db.session.execute(
            update(Plan)
            .where(Plan.id == plan.id, Plan.version == seen_version)
            .values(active=active, version=Plan.version + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise Conflict()
    db.session.expire(plan)
    return plan


# ---------------------------------------------------------------- running


@dataclass(frozen=True)
class PlanActor:
    """Who makes a plan's work: the scope of the plan's owner (its community's staff, or the
    subdistrict: admin), named for the plan, or for the person whose step ran it (a warning's
    recorder, whose id the trail keeps). Never the person's own scope: a subdistrict plan is
    the subdistrict's decision, and a warning recorded by one community's staff runs it across
    every community."""

    role: str
    name: str
    community_id: int | None = None
    id: int | None = None
    team_id: None = None


def scheduler_actor(title: str, community_id: int | None, by=None) -> PlanActor:
    """The plan as the actor of the work it makes (see the module note); `by`: the person
    whose step ran it, named in the trail instead of the plan."""
    return PlanActor(
        role=access.STAFF if community_id else access.ADMIN,
        name=(getattr(by, "name", "") or "") if by else _("Plan: %(title)s", title=title),
        community_id=community_id,
        id=getattr(by, "id", None),
    )


@dataclass
class RunReport:
    created: int = 0
    empty: int = 0
    missed: int = 0
    failed: int = 0
    skipped: int = 0  # taken by another run first
    plans: int = 0
    due: list = field(default_factory=list)  # (plan id, title, occurrence, what) for --dry-run

    def add(self, outcome: str | None) -> None:
        if outcome is None:
            self.skipped += 1
        else:
            setattr(self, outcome, getattr(self, outcome) + 1)


def _latest_runs():
    return (
        select(PlanRun.plan_id, func.max(PlanRun.occurrence_at).label("latest"))
        .where(PlanRun.occurrence_at.is_not(None))
        .group_by(PlanRun.plan_id)
        .subquery()
    )


_RUN_COLUMNS = (
    Plan.id,
    Plan.title,
    Plan.category,
    Plan.instructions,
    Plan.checklist,
    Plan.tier,
    Plan.team_id,
    Plan.criteria,
    Plan.community_id,
    Plan.rrule,
    Plan.starts_at,
    Plan.lead_days,
    Plan.source_case_id,
)


def due_plans():
    """One statement: every active plan on a schedule with the latest occurrence it ran."""
    latest = _latest_runs()
    return (
        select(*_RUN_COLUMNS, latest.c.latest)
        .outerjoin(latest, latest.c.plan_id == Plan.id)
        .where(Plan.active.is_(True), Plan.trigger == SCHEDULE, Plan.starts_at.is_not(None))
        .order_by(Plan.id)
    )


def run_due(now: datetime | None = None, dry_run: bool = False) -> RunReport:
    """Make the work of every due occurrence of every active schedule plan, once each."""
    now = now or utcnow()
    report = RunReport()
    rows = db.session.execute(due_plans()).all()
    db.session.rollback()  # no transaction held while the plans run one by one
    for row in rows:
        report.plans += 1
        try:
            found = schedule.due(row.rrule, row.starts_at, row.lead_days, row.latest, now)
        except (ValueError, OverflowError):
            log.warning("plans: plan %s has a rule that cannot be read: %r", row.id, row.rrule)
            continue
        if dry_run:
            report.due += [(row.id, row.title, o, MISSED) for o in found.missed]
            report.due += [(row.id, row.title, o, CREATED) for o in found.work]
            continue
        if found.missed:
            report.missed += _record_missed(row.id, found.missed, now)
        for occurrence in found.work:
            try:
                outcome = run_occurrence(row, now, occurrence_at=occurrence, due_at=occurrence)
            except Exception:  # one plan's trouble (a lost connection, a bug) stops only it
                db.session.rollback()
                log.exception("plans: plan %s at %s could not run", row.id, occurrence)
                break
            report.add(outcome)
    return report


def missed_rows(plan_id: int, occurrences: list, now: datetime) -> list[dict]:
    """The run rows of occurrences skipped over (also the bench's seed of a plan's history)."""
    return [
        {
            "plan_id": plan_id,
            "occurrence_at": o,
            "outcome": MISSED,
            "work_count": 0,
            "note": "",
            "ran_at": now,
        }
        for o in occurrences
    ]


def _record_missed(plan_id: int, occurrences: list, now: datetime) -> int:
    """The occurrences skipped over, recorded (no work) in one statement: they are not
    offered again."""
    with unit_of_work() as session:
        conn = session.connection()
        table = PlanRun.__table__
        result = conn.execute(
            insert_for(conn, table)
            .values(missed_rows(plan_id, occurrences, now))
            .on_conflict_do_nothing(index_elements=["plan_id", "occurrence_at"])
            .returning(table.c.id)
        )
        return len(result.all())  # the rows this run recorded (rowcount: -1 on psycopg)


def take_run(plan_id, now, key: dict, outcome: str, note: str = "") -> int | None:
    """The run's row by its unique key ({"occurrence_at": …} or {"warning_id": …}), or None
    when another run holds it: the one "exactly once" of schedules and warnings."""
    conn = db.session.connection()
    table = PlanRun.__table__
    index = ["plan_id", "warning_id" if "warning_id" in key else "occurrence_at"]
    return conn.execute(
        insert_for(conn, table)
        .values(plan_id=plan_id, outcome=outcome, work_count=0, note=note, ran_at=now, **key)
        .on_conflict_do_nothing(index_elements=index)
        .returning(table.c.id)
    ).scalar()


def plan_work(plan, due_at, title: str | None = None) -> Work:
    """What each of a plan's compounds gets (a row of due_plans() or a Plan): its case, due at
    the occurrence (or before the warning that ran it)."""
    return Work(
        title=(title or plan.title)[:120],
        category=plan.category,
        instructions=plan.instructions or "",
        checklist=plan.checklist or "",
        tier=plan.tier or "general",
        team_id=plan.team_id,
        due_at=due_at,
        channel="plan",
    )


def run_occurrence(plan, now, *, occurrence_at=None, warning_id=None, due_at=None):
    """One occurrence of a plan (a row of due_plans(), or a Plan): its run row and its work in
    one transaction. The outcome made, or None when another run took it first.

    A schedule occurrence is keyed by occurrence_at, a warning's by warning_id (the warnings
    domain calls this with its warning and the deadline). A refusal (no team for a compound)
    leaves no work and is recorded "failed" with its reason: not tried again."""
    key = {"occurrence_at": occurrence_at} if warning_id is None else {"warning_id": warning_id}
    if warning_id is not None and occurrence_at is not None:
        key["occurrence_at"] = occurrence_at
    actor = scheduler_actor(plan.title, plan.community_id)
    targets = targeting.Targets.from_json(plan.criteria)
    try:
        with unit_of_work():
            run_id = take_run(plan.id, now, key, CREATED)
            if run_id is None:
                return None
            compounds = targeting.compounds(targets, actor)
            if not compounds:
                _finish(run_id, outcome=EMPTY)
                return EMPTY
            work = plan_work(plan, due_at)
            source = {"source_case_id": plan.source_case_id}
            if warning_id is not None:
                source["warning_id"] = warning_id
            campaign = launch(actor, work, compounds, criteria=targets, now=now, **source)
            _finish(run_id, campaign_id=campaign.id, work_count=len(compounds))
        return CREATED
    except Refused as refused:
        note = str(refused.message)
    with unit_of_work():
        taken = take_run(plan.id, now, key, FAILED, note)
    log.warning("plans: plan %s (%s) failed at %s: %s", plan.id, plan.title, key, note)
    return FAILED if taken else None


def _finish(run_id: int, **values) -> None:
    db.session.execute(
        update(PlanRun)
        .where(PlanRun.id == run_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
