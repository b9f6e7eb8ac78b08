"""A community with tree-lined compounds, a tree team, office people and warning plans."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from coordinator.campaigns.targets import Targets
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.plans.models import Plan

WIND_TEXT = (
    "北京市气象台{y}年{m}月{d}日10时00分发布大风黄色预警信号：预计{d}日14时至{d2}日20时，"
    "本市大部分地区将出现5级左右偏北风，阵风可达8级，请注意防范。"
)


@pytest.fixture
def town(make):
    community = make.community(name="绿树社区")
    community.office_phone = "010-62010009"
    community.subdistrict.office_phone = "010-62010000"
    trees = [make.compound(community, name=f"林荫{i}号院", many_trees=True) for i in range(3)]
    bare = make.compound(community, name="光秃秃小区", many_trees=False)
    team = make.team(
        name="测试园林公司",
        kind="contractor",
        skills=("trees",),
        communities=[community],
        capacity=50,
        members=1,
    )
    admin = make.user(role="admin", name="管理员")
    staff = make.user(role="staff", community_=community, name="王伟")
    make.commit()
    return SimpleNamespace(
        community=community, trees=trees, bare=bare, team=team, admin=admin, staff=staff
    )


@pytest.fixture
def plan(town):
    """plan(**overrides): an active warning plan for tree checks before wind (yellow up)."""

    def make_plan(**kw):
        values = dict(
            title="大风前树木枯枝隐患检查",
            category="trees",
            instructions="检查枯枝、断枝，必要时修剪。",
            checklist="枯枝\n倾斜树木",
            tier="general",
            team_id=town.team.id,
            criteria=Targets(many_trees=True).to_json(),
            trigger="warning",
            warning_kinds="wind",
            min_level="yellow",
            active=True,
        )
        values.update(kw)
        row = Plan(**values)
        db.session.add(row)
        db.session.commit()
        return row

    return make_plan


def warning_data(hours_ahead=6, hours_long=30, kind="wind", level="yellow", now=None):
    now = now or utcnow()
    start = now + timedelta(hours=hours_ahead)
    return {
        "kind": kind,
        "level": level,
        "valid_from": start,
        "valid_to": start + timedelta(hours=hours_long),
        "area": "本市大部分地区",
        "text": "",
        "issued_at": None,
    }
