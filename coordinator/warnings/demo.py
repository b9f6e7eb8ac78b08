"""The demo's weather warning (issue 11): a yellow wind warning, recorded by 王伟 from its
pasted text the afternoon before it starts, and the plan bound to it, "大风前树木枯枝隐患检查",
which made the tree checks in every compound with many trees (the tree team's, two of them
accepted already).

The events chapter's "大风黄色预警前枯枝隐患巡查" is the same story told the old way: a
volunteer walk the office organised by hand before an earlier warning. This chapter is the
new way: the warning, once recorded, makes the team's work itself."""

from datetime import timedelta

from sqlalchemy import select

from coordinator import access
from coordinator.auth.models import User
from coordinator.campaigns.models import Campaign
from coordinator.campaigns.targets import Targets
from coordinator.cases import services as cases
from coordinator.cases.demo import TREES, _team_actor
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.i18n import to_local, to_utc, utcnow
from coordinator.plans.models import WARNING, Plan
from coordinator.teams.models import Team
from coordinator.warnings import services
from coordinator.warnings.models import WeatherWarning
from coordinator.warnings.parsing import read

PLAN = "大风前树木枯枝隐患检查"
TEXT = (
    "北京市气象台{issued:%Y}年{issued.month}月{issued.day}日{issued.hour}时00分发布大风黄色预警信号："
    "预计{start.day}日{start.hour}时至{end.day}日{end.hour}时，本市大部分地区将出现5级左右偏北风，"
    "阵风可达8级，山区阵风可达9级。请注意防范大风对交通出行、高空作业、户外设施等的不利影响。"
)
ACCEPTED = 2  # of the tree checks, the team has accepted these already


def load() -> None:
    admin = db.session.scalar(select(User).where(User.role == access.ADMIN).order_by(User.id))
    wang = db.session.scalar(select(User).where(User.name == "王伟"))
    team = db.session.scalar(select(Team).where(Team.name == TREES))
    if admin is None or wang is None or team is None:
        return
    plan = _tree_plan(admin, team)
    if db.session.scalar(select(WeatherWarning.id).where(WeatherWarning.created_by_id == wang.id)):
        return
    _record_the_warning(wang, team)
    assert plan.id


def _tree_plan(admin: User, team: Team) -> Plan:
    plan = db.session.scalar(select(Plan).where(Plan.title == PLAN))
    if plan is None:
        plan = Plan(
            title=PLAN,
            category="trees",
            instructions="大风到来之前，逐棵检查小区内大树：枯枝、断枝、倾斜，悬在人行道、"
            "车位和电线上方的先处理，必要时拉警戒线。",
            checklist="枯枝、断枝\n倾斜或根部松动的树\n悬在人行道、车位上方的树枝\n"
            "靠近电线的树枝\n清走修剪下的枝叶",
            tier="general",
            team_id=team.id,
            criteria=Targets(many_trees=True).to_json(),
            trigger=WARNING,
            warning_kinds="wind",
            min_level="yellow",
            active=True,
            created_by_id=admin.id,
        )
        db.session.add(plan)
        db.session.flush()
    return plan


def _record_the_warning(wang: User, team: Team) -> None:
    """Pasted the afternoon before: issued at 10:00 today (Beijing), from 14:00 tomorrow to
    20:00 the day after; its fields read from the text, as the form does."""
    today = to_local(utcnow()).replace(minute=0, second=0, microsecond=0)
    issued = today.replace(hour=10) if today.hour >= 10 else today - timedelta(hours=1)
    start = (today + timedelta(days=1)).replace(hour=14)
    end = (today + timedelta(days=2)).replace(hour=20)
    text = TEXT.format(issued=issued, start=start, end=end)
    reading = read(text, today=today.date())
    _room_for(team)
    recorded = services.record(
        wang,
        {
            "kind": reading.kind,
            "level": reading.level,
            "valid_from": to_utc(reading.valid_from),
            "valid_to": to_utc(reading.valid_to),
            "issued_at": to_utc(reading.issued_at),
            "area": reading.area,
            "text": text,
        },
    )
    lead = _team_actor(team)
    made = db.session.scalars(
        select(Case)
        .join(Campaign, Campaign.id == Case.campaign_id)
        .where(Campaign.warning_id == recorded.warning.id)
        .order_by(Case.id)
    ).all()
    for case in made[:ACCEPTED]:
        cases.act(lead, case, "accept")


def _room_for(team: Team) -> None:
    """Before a wind warning the tree company puts on extra crews (the story's team takes 4
    jobs at a time; the compounds with many trees are 5)."""
    if team.capacity < 10:
        team.capacity = 10
        db.session.flush()
