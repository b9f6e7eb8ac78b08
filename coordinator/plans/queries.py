"""Read models of plans: the list (with each plan's latest run), a plan's page (its runs), the
form's choices. The scope rule: admins see every plan; staff their community's and the
subdistrict's (those read only, services.may_change)."""

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import aliased

from coordinator import access
from coordinator.campaigns import targets as targeting
from coordinator.campaigns.models import Campaign
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.paging import paginate
from coordinator.places.models import Community
from coordinator.plans import schedule
from coordinator.plans.models import SCHEDULE, Plan, PlanRun
from coordinator.plans.services import scheduler_actor
from coordinator.teams.models import Team
from coordinator.warnings.models import KINDS, LEVELS, WeatherWarning

PER_PAGE = 30
RUNS_PER_PAGE = 50


def visible(stmt, actor):
    if actor.role == access.ADMIN:
        return stmt
    return stmt.where(
        or_(
            Plan.community_id == bindparam("actor_community", actor.community_id),
            Plan.community_id.is_(None),
        )
    )


def visible_plan(plan_id: int, actor) -> Plan | None:
    return db.session.scalar(visible(select(Plan).where(Plan.id == plan_id), actor))


def _last_run():
    last = (
        select(PlanRun.plan_id, func.max(PlanRun.id).label("run_id"))
        .group_by(PlanRun.plan_id)
        .subquery()
    )
    return last, aliased(PlanRun)


def index_page(actor, number: int, now=None):
    """A page of plans (active first, by title) with team, community and latest run, in one
    statement; each plan's next date worked out from its rule."""
    now = now or utcnow()
    last, run = _last_run()
    stmt = visible(
        select(Plan, Team.name.label("team_name"), Community.name.label("community_name"), run)
        .outerjoin(Team, Team.id == Plan.team_id)
        .outerjoin(Community, Community.id == Plan.community_id)
        .outerjoin(last, last.c.plan_id == Plan.id)
        .outerjoin(run, run.id == last.c.run_id)
        .order_by(Plan.active.desc(), Plan.title, Plan.id),
        actor,
    )
    page = paginate(stmt, number, PER_PAGE, scalars=False)
    page.items = [
        {
            "plan": row[0],
            "team_name": row.team_name,
            "community_name": row.community_name,
            "last_run": row[3],
            "next_at": next_dates(row[0], now, 1)[0:1],
            "when": when_words(row[0]),
        }
        for row in page.items
    ]
    return page


def next_dates(plan: Plan, now, n: int = 5) -> list:
    if plan.trigger != SCHEDULE or not plan.rrule or plan.starts_at is None:
        return []
    try:
        return schedule.upcoming(plan.rrule, plan.starts_at, now, n)
    except (ValueError, OverflowError):
        return []


def when_words(plan: Plan) -> str:
    """The schedule in words, or the warnings it answers."""
    if plan.trigger == SCHEDULE:
        return schedule.describe(plan.rrule) if plan.rrule else ""
    kinds = [str(KINDS.get(k, k)) for k in plan.warning_kinds.split(",") if k]
    return f"{'/'.join(kinds)} ≥ {LEVELS.get(plan.min_level, plan.min_level)}"


def detail(plan: Plan, runs_page: int, now=None) -> dict:
    """A plan's page: what, targets in words with the live count, team, schedule in words and
    its next 5 dates, and a page of its runs (with their campaigns) in one statement."""
    now = now or utcnow()
    targets = targeting.Targets.from_json(plan.criteria)
    names = dict(db.session.execute(select(Community.id, Community.name)).all())
    actor = scheduler_actor(plan.title, plan.community_id)
    done = (
        select(Case.campaign_id, func.count().label("done"))
        .where(
            Case.campaign_id.in_(select(PlanRun.campaign_id).where(PlanRun.plan_id == plan.id)),
            Case.handled_at.is_not(None),
        )
        .group_by(Case.campaign_id)
        .subquery()
    )
    runs = paginate(
        select(
            PlanRun,
            done.c.done,
            Campaign.status.label("campaign_status"),
            WeatherWarning.kind.label("warning_kind"),
            WeatherWarning.level.label("warning_level"),
        )
        .outerjoin(Campaign, Campaign.id == PlanRun.campaign_id)
        .outerjoin(WeatherWarning, WeatherWarning.id == PlanRun.warning_id)
        .outerjoin(done, done.c.campaign_id == PlanRun.campaign_id)
        .where(PlanRun.plan_id == plan.id)
        # newest first: a date's run by its date, a warning's by when it ran
        .order_by(func.coalesce(PlanRun.occurrence_at, PlanRun.ran_at).desc(), PlanRun.id.desc()),
        runs_page,
        RUNS_PER_PAGE,
        scalars=False,
    )
    return {
        "plan": plan,
        "targets_words": targets.describe(names),
        "target_count": targeting.count(targets, actor),
        "when": when_words(plan),
        "next_at": next_dates(plan, now, 5) if plan.active else [],
        "runs": runs,
        "team_name": db.session.scalar(select(Team.name).where(Team.id == plan.team_id))
        if plan.team_id
        else None,
        "community_name": names.get(plan.community_id) if plan.community_id else None,
    }
