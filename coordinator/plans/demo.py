"""The plans of the story: Ms Li's blocked drain became main-stack maintenance in the old
compounds every 6 months (its first run done a week ago, two of its jobs already handled),
and 红联北村社区's monthly street-light round. (The wind tree check is the warnings' demo.)"""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.campaigns.targets import Targets
from coordinator.cases import workflow
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.i18n import local_date, to_utc, utcnow
from coordinator.places.models import Community, Compound
from coordinator.plans import schedule, services
from coordinator.plans.models import Plan, PlanRun
from coordinator.teams.models import Team

MAIN_STACK = "老旧小区主立管定期维护"
STREET_LIGHTS = "路灯每月巡检"
SHOUHUA = "北京首华物业管理有限公司"


def _one(model, **keys):
    return db.session.scalar(select(model).filter_by(**keys))


def load() -> None:
    now = utcnow()
    admin = _one(User, phone="13800000001")
    wang = _one(User, phone="13800000002")
    shouhua = _one(Team, name=SHOUHUA)
    li_case = db.session.scalar(select(Case).where(Case.tracking_token == "demo-li-drain"))
    communities = {c.name: c.id for c in db.session.scalars(select(Community))}
    if admin is None or shouhua is None:
        return
    # The property company takes the routine rounds on top of its call-outs: the committee
    # agreed it holds up to 10 jobs at once (the story's 5 are full with its call-outs).
    if shouhua.capacity < 10:
        shouhua.capacity = 10
        db.session.flush()
    _main_stack(now, admin, shouhua, li_case, communities)
    _street_lights(now, wang, communities)


def _main_stack(now, admin, shouhua, li_case, communities) -> None:
    if _one(Plan, title=MAIN_STACK) is not None:
        return
    made = now - timedelta(days=7)
    # The first date: today at 09:00 Beijing time; with 14 days' lead its work was made a week
    # ago, when the plan was saved (after Ms Li's case was closed).
    first = to_utc(datetime.combine(local_date(now), time(9, 0)))
    # The old compounds the property company looks after (it has room for two more jobs).
    managed = [_one(Compound, name=n) for n in ("红联北村", "西土城路8号院")]
    targets = Targets(old=True, kinds=("compound",), compounds=tuple(c.id for c in managed if c))
    plan = services.save_plan(
        admin,
        {
            "title": MAIN_STACK,
            "category": "drain",
            "tier": "general",
            "instructions": "疏通楼体主立管，检查各单元检查井；清出的杂物拍照记录。"
            "提醒居民勿往下水道倒头发、塑料袋、消毒湿巾和口罩（李阿姨家主管道堵塞的原因）。",
            "checklist": "疏通主立管\n清理检查井\n拍照记录清出的杂物\n张贴文明使用下水道提示",
            "team_id": shouhua.id,
            "community_id": None,
            "criteria": targets.to_json(),
            "trigger": "schedule",
            "rrule": schedule.check("FREQ=MONTHLY;INTERVAL=6", first),
            "starts_at": first,
            "lead_days": 14,
            "source_case_id": li_case.id if li_case else None,
        },
    )
    plan.created_at = made
    db.session.commit()
    row = db.session.get(Plan, plan.id)
    services.run_occurrence(row, made, occurrence_at=first, due_at=first)
    run = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id))
    if run is None or run.campaign_id is None:
        return
    _progress(run.campaign_id, made)


def _progress(campaign_id: int, made: datetime) -> None:
    """Two of the jobs done since: one closed after its check, one handled."""
    zhang = _one(User, phone="13800000005")
    zhao = _one(User, phone="13800000006")
    admin = _one(User, phone="13800000001")
    if zhang is None or zhao is None:
        return
    cases = list(
        db.session.scalars(select(Case).where(Case.campaign_id == campaign_id).order_by(Case.id))
    )
    for n, case in enumerate(cases[:2]):
        t = made + timedelta(days=2 + n, hours=1)
        workflow.transition(case, "accept", zhang, now=t)
        workflow.transition(case, "start", zhao, now=t + timedelta(hours=1))
        workflow.transition(
            case, "handle", zhao, "主立管已疏通，检查井已清理。", now=t + timedelta(hours=3)
        )
        if n == 0 and admin is not None:
            workflow.transition(
                case, "verify_pass", admin, "抽查两个单元，排水正常。", now=t + timedelta(hours=5)
            )
    db.session.commit()


def _street_lights(now, wang, communities) -> None:
    if _one(Plan, title=STREET_LIGHTS) is not None or wang is None:
        return
    today = local_date(now)
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    first = to_utc(datetime.combine(first_of_next, time(9, 0)))
    services.save_plan(
        wang,
        {
            "title": STREET_LIGHTS,
            "category": "electrics",
            "tier": "general",
            "instructions": "夜间巡查小区内路灯和楼道灯，坏的登记楼号和位置并当场更换。",
            "checklist": "路灯\n楼道灯\n单元门禁照明",
            "team_id": None,
            "criteria": Targets(communities=(wang.community_id,)).to_json(),
            "trigger": "schedule",
            "rrule": schedule.check("FREQ=MONTHLY;BYMONTHDAY=1", first),
            "starts_at": first,
            "lead_days": 3,
        },
    )
    db.session.commit()
