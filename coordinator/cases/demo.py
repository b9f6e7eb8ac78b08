"""The cases of the story: Ms Li's drain, Mr Sun's bike shed, and a dozen more.

Loaded after coordinator/demo/story.py (places, teams, people). Idempotent: each case has a
fixed tracking token as its natural key, and a case that exists already is left alone.
"""

from datetime import timedelta

from sqlalchemy import select

from coordinator import access
from coordinator.auth.models import User
from coordinator.cases import records, workflow
from coordinator.cases.models import Callback, Case, CaseLink, Notice, Visit
from coordinator.cases.services import notice_text
from coordinator.cases.workflow import Guest
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.places.models import Building, Compound, Entrance
from coordinator.teams.models import Team

SHOUHUA = "北京首华物业管理有限公司"
HANDYMEN = "红联北村能工巧匠服务队"
VOLUNTEERS = "北太平庄街道志愿服务队"
TREES = "北京绿荫园林绿化工程有限公司"
RIGHTS = "师大北路产权单位维修组"

# token, compound, category, tier, channel, description, reporter, phone, status, hours ago, team
OTHERS = [
    (
        "demo-03",
        "红联北村",
        "electrics",
        "general",
        "hotline_12345",
        "5号楼北侧路灯不亮，晚上老人出门看不清路。",
        "周大爷",
        "13700000103",
        "received",
        3,
        None,
    ),
    (
        "demo-04",
        "师大北路小区",
        "paving",
        "general",
        "phone",
        "2号楼门前路面坑洼，下雨积水，已有人摔倒。",
        "吴女士",
        "13700000104",
        "in_progress",
        24 * 9,
        RIGHTS,
    ),
    (
        "demo-05",
        "学院南路32号院",
        "trees",
        "emergency",
        "patrol",
        "大风预警前巡查：3号楼旁大槐树有枯枝悬在人行道上方。",
        "",
        "",
        "accepted",
        3,
        TREES,
    ),
    (
        "demo-06",
        "文慧园路小区",
        "flyposting",
        "general",
        "wechat",
        "单元门和楼道墙上贴满小广告。",
        "郑先生",
        "13700000106",
        "handled",
        24 * 2,
        VOLUNTEERS,
    ),
    (
        "demo-07",
        "志强北园",
        "cleaning",
        "general",
        "walk_in",
        "7号楼后面堆了装修垃圾，一周没人清。",
        "钱阿姨",
        "13700000107",
        "dispatched",
        5,
        VOLUNTEERS,
    ),
    (
        "demo-08",
        "北三环中路40号院",
        "electrics",
        "utilities",
        "online",
        "楼道照明整层不亮，电闸跳了合不上。",
        "冯女士",
        "13700000108",
        "received",
        1,
        None,
    ),
    (
        "demo-09",
        "红联北村",
        "plumbing",
        "utilities",
        "phone",
        "厨房水管接头漏水，楼下邮件说天花板有水印。",
        "孙奶奶",
        "13700000109",
        "closed",
        24 * 12,
        HANDYMEN,
    ),
    (
        "demo-10",
        "西土城路8号院",
        "drain",
        "general",
        "phone",
        "4号楼化粪池满溢，味道很大。",
        "褚先生",
        "13700000110",
        "returned",
        30,
        SHOUHUA,
    ),
    (
        "demo-11",
        "文慧园路小区",
        "trees",
        "general",
        "online",
        "树枝挡住3楼窗户，晚上刮窗。",
        "卫女士",
        "13700000111",
        "closed",
        24 * 20,
        TREES,
    ),
    (
        "demo-12",
        "学院南路32号院",
        "other",
        "general",
        "phone",
        "和昨天那件一样：3号楼旁枯枝。",
        "蒋先生",
        "13700000112",
        "void",
        2,
        None,
    ),
    (
        "demo-13",
        "志强北园",
        "trees",
        "complex",
        "patrol",
        "小区内十余棵杨树需整体修剪，涉及高空作业车进场。",
        "",
        "",
        "extended",
        24 * 16,
        TREES,
    ),
    (
        "demo-14",
        "师大北路小区",
        "drain",
        "general",
        "hotline_12345",
        "1号楼雨水口堵塞，路面积水。",
        "沈先生",
        "13700000114",
        "callback",
        24 * 4,
        SHOUHUA,
    ),
    (
        "demo-15",
        "红联北村",
        "electrics",
        "general",
        "phone",
        "6号楼2单元楼道声控灯坏了。",
        "韩阿姨",
        "13700000115",
        "reopened",
        24 * 6,
        SHOUHUA,
    ),
]

# The steps to reach each status: (action, who) with who = office | team.
STEPS = {
    "received": [],
    "void": [("void", "office")],
    "dispatched": [("dispatch", "office")],
    "returned": [("dispatch", "office"), ("return", "team")],
    "accepted": [("dispatch", "office"), ("accept", "team")],
    "in_progress": [("dispatch", "office"), ("accept", "team"), ("start", "team")],
}
STEPS["extended"] = STEPS["in_progress"] + [("extend", "team")]
STEPS["handled"] = STEPS["in_progress"] + [("handle", "team")]
STEPS["callback"] = STEPS["handled"] + [("verify_pass", "office"), ("await_callback", "office")]
STEPS["closed"] = STEPS["callback"] + [("close", "office")]
STEPS["reopened"] = STEPS["callback"] + [("reopen", "office")]
NOTES = {
    "void": "重复报告，已合并到前一件。",
    "return": "不在本物业管理范围，请改派产权单位。",
    "extend": "需协调高空作业车，申请延期。",
    "reopen": "居民反映灯又不亮了，不满意。",
}


def _one(model, **keys):
    return db.session.scalar(select(model).filter_by(**keys))


def _place(compound_name: str) -> dict:
    compound = _one(Compound, name=compound_name)
    building = db.session.scalar(
        select(Building).where(Building.compound_id == compound.id).order_by(Building.id)
    )
    entrance = (
        db.session.scalar(
            select(Entrance).where(Entrance.building_id == building.id).order_by(Entrance.id)
        )
        if building
        else None
    )
    return {
        "community_id": compound.community_id,
        "compound_id": compound.id,
        "building_id": building.id if building else None,
        "entrance_id": entrance.id if entrance else None,
    }


def _office(community_id: int) -> User:
    """The community's duty officer, or the subdistrict admin where the demo has none."""
    return db.session.scalar(
        select(User).where(User.role == access.STAFF, User.community_id == community_id)
    ) or db.session.scalar(select(User).where(User.role == access.ADMIN))


def _team_actor(team: Team):
    user = db.session.scalar(select(User).where(User.team_id == team.id, User.role == access.LEAD))
    if user:
        return user
    lead = team.lead
    return Guest(role=access.LEAD, name=lead.name if lead else team.name, team_id=team.id)


def _new_case(token, place, at, **fields) -> Case:
    case = Case(tracking_token=token, created_at=at, updated_at=at, **place, **fields)
    db.session.add(case)
    return case


def load() -> None:
    now = utcnow()
    if _one(Case, tracking_token="demo-li-drain") is None:
        _ms_li(now)
    if _one(Case, tracking_token="demo-sun-bikes") is None:
        _mr_sun(now)
    for row in OTHERS:
        if _one(Case, tracking_token=row[0]) is None:
            _other(now, *row)
    db.session.flush()
    # The story's call-backs are added here as rows, beside the workflow: work the teams'
    # figures out again from everything loaded (records.py).
    records.refresh(db.session.connection())


def _ms_li(now) -> None:
    """17 Oct in the story: two visits, the building's main stack, a notice upstairs."""
    t = (now - timedelta(days=9)).replace(hour=1, minute=20, second=0, microsecond=0)
    wang = _one(User, phone="13800000002")
    zhang = _one(User, phone="13800000005")
    zhao = _one(User, phone="13800000006")
    team = _one(Team, name=SHOUHUA)
    place = _place("红联北村")
    case = _new_case(
        "demo-li-drain",
        place,
        t,
        category="drain",
        tier="utilities",
        channel="phone",
        floor=1,
        household="101",
        reporter_name="李阿姨",
        reporter_phone="13600000001",
        created_by_id=wang.id,
        description="厨房下水道往上反水，地上全是污水，老人腿脚不便。",
    )
    workflow.opened(case, wang, now=t)
    workflow.transition(
        case,
        "dispatch",
        wang,
        "已电话通知物业，社区派三名工作人员同去。",
        team_id=team.id,
        now=t + timedelta(minutes=6),
    )
    workflow.transition(case, "accept", zhang, now=t + timedelta(minutes=10))
    workflow.transition(case, "start", zhao, now=t + timedelta(minutes=15))
    first = "清理单元门外检查井，卫生间下水恢复；厨房仍然堵塞。判断为整栋楼主管道堵塞。"
    db.session.add(
        Visit(
            case=case,
            by_name=zhao.name,
            by_id=zhao.id,
            team_id=team.id,
            at=t + timedelta(minutes=45),
            found=first,
            another_needed=True,
        )
    )
    workflow.record(case, zhao, "visit", first, now=t + timedelta(minutes=45))
    workflow.transition(
        case, "revisit", zhao, "需要疏通楼体主管道。", now=t + timedelta(minutes=46)
    )
    db.session.flush()
    db.session.expire(case, ["community", "compound", "building", "entrance"])
    title, text = notice_text(case, "", "2-6", "请楼上住户暂时少用水，疏通完后我们再通知大家。")
    db.session.add(
        Notice(
            case=case,
            building_id=place["building_id"],
            floors="2-6",
            title=title,
            text=text,
            created_at=t + timedelta(minutes=50),
            created_by_id=wang.id,
        )
    )
    case.affects_building = True
    workflow.record(case, wang, "notice", title, now=t + timedelta(minutes=50))
    # Upstairs, the same stack: a neighbour's slow drain is part of Ms Li's case.
    upstairs = _new_case(
        "demo-li-upstairs",
        place,
        t + timedelta(minutes=30),
        category="drain",
        tier="general",
        channel="phone",
        floor=2,
        household="201",
        reporter_name="王女士",
        reporter_phone="13600000002",
        created_by_id=wang.id,
        description="卫生间下水很慢，有异味。",
    )
    workflow.opened(upstairs, wang, now=t + timedelta(minutes=30))
    workflow.transition(
        upstairs,
        "void",
        wang,
        "同一主管道堵塞，并入李阿姨的诉求处理。",
        now=t + timedelta(minutes=52),
    )
    db.session.flush()
    db.session.add(
        CaseLink(
            case_id=upstairs.id,
            other_id=case.id,
            kind="part_of",
            created_by_id=wang.id,
            created_at=t + timedelta(minutes=52),
        )
    )
    workflow.record(case, wang, "link", f"#{upstairs.id}", now=t + timedelta(minutes=52))

    second = "疏通楼体主管道，取出大量头发、塑料袋碎片、无纺布消毒巾和口罩；厨房排水恢复。"
    db.session.add(
        Visit(
            case=case,
            by_name=zhao.name,
            by_id=zhao.id,
            team_id=team.id,
            at=t + timedelta(hours=2, minutes=20),
            found=second,
        )
    )
    workflow.record(case, zhao, "visit", second, now=t + timedelta(hours=2, minutes=20))
    workflow.transition(
        case, "handle", zhao, "主管道已疏通。", now=t + timedelta(hours=2, minutes=25)
    )
    case.root_cause = "头发、塑料袋碎片、无纺布消毒巾、口罩"
    case.follow_up = "管道日常维护；公众号推文提示居民文明使用下水道"
    workflow.transition(
        case, "verify_pass", wang, "入户查看，厨房和卫生间排水正常。", now=t + timedelta(hours=3)
    )
    workflow.transition(case, "await_callback", wang, now=t + timedelta(hours=3))
    li = Guest(role=access.RESIDENT, name="李阿姨")
    workflow.transition(case, "close", li, now=t + timedelta(days=1))
    db.session.add(
        Callback(
            case=case,
            team_id=team.id,
            contacted=True,
            solved=True,
            satisfaction="satisfied",
            by_resident=True,
            note="师傅们辛苦了，社区的人还帮我挪了家具。",
            created_at=t + timedelta(days=1),
        )
    )
    workflow.record(case, li, "callback", "满意", now=t + timedelta(days=1))


def _mr_sun(now) -> None:
    """25 Oct: on patrol at 西土城路8号院, abandoned bikes in the shed; a cleanup is planned.
    Before the drive it caused (events/demo.py: planned 39 days before today, held 30 days
    ago); campaigns/demo.py links the two, and the finished drive settles the case."""
    t = (now - timedelta(days=41)).replace(hour=2, minute=10, second=0, microsecond=0)
    chen = _one(User, phone="13800000003")
    team = _one(Team, name=VOLUNTEERS)
    case = _new_case(
        "demo-sun-bikes",
        _place("西土城路8号院"),
        t,
        category="bikes",
        tier="general",
        channel="patrol",
        reporter_name="孙先生",
        reporter_phone="13800000008",
        created_by_id=chen.id,
        description="巡查时遇到孙先生：车棚里堆满废弃自行车，孩子玩耍时蹭了一身土。"
        "已现场核实，约百余辆，报城管办。",
    )
    case.building_id = None
    case.entrance_id = None
    workflow.opened(case, chen, now=t)
    workflow.transition(
        case,
        "dispatch",
        chen,
        "与物业一起策划废弃自行车集中清理活动。",
        team_id=team.id,
        now=t + timedelta(hours=1),
    )
    lead = _team_actor(team)
    workflow.transition(case, "accept", lead, now=t + timedelta(hours=2))
    workflow.transition(case, "start", lead, now=t + timedelta(hours=3))
    workflow.transition(
        case,
        "park",
        chen,
        "纳入车棚清理活动：先张贴认领通知，15天认领期后集中清运。",
        now=t + timedelta(hours=4),
    )


def _other(
    now,
    token,
    compound,
    category,
    tier,
    channel,
    description,
    reporter,
    phone,
    status,
    hours_ago,
    team_name,
) -> None:
    t = now - timedelta(hours=hours_ago)
    place = _place(compound)
    office = _office(place["community_id"])
    team = _one(Team, name=team_name) if team_name else None
    case = _new_case(
        token,
        place,
        t,
        category=category,
        tier=tier,
        channel=channel,
        hotline_ticket=f"BJ{t:%y%m%d}{token[-2:]}" if channel == "hotline_12345" else "",
        reporter_name=reporter,
        reporter_phone=phone,
        description=description,
        created_by_id=office.id,
    )
    workflow.opened(case, office, now=t)
    steps = STEPS[status]
    if not steps:
        return
    # Spread the steps over the case's life so far, in order; accept soon after the dispatch
    # (at most half an hour) so deadlines can pass. (Accepting at half an hour after the case
    # was logged once put acceptance before dispatch, and the team page's median time to
    # accept below zero.)
    gap = timedelta(hours=hours_ago) / (len(steps) + 1)
    team_actor = _team_actor(team) if team else None
    at = t
    for i, (action, who) in enumerate(steps, start=1):
        if action == "accept":
            at = at + min(gap, timedelta(minutes=30))
        else:
            at = max(t + gap * i, at)
        actor = office if who == "office" else team_actor
        if action == "handle":
            case.root_cause = "日常老化" if category != "flyposting" else "小广告反复张贴"
        workflow.transition(
            case, action, actor, NOTES.get(action, ""), team_id=team.id if team else None, now=at
        )
    if status in ("closed", "reopened"):
        db.session.add(
            Callback(
                case=case,
                team_id=team.id,
                contacted=True,
                solved=status == "closed",
                satisfaction="basically" if status == "closed" else "not",
                created_at=at,
            )
        )
