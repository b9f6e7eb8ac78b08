"""A year of cases before the story's: the history the dashboard, trends and hot spots read.

Loaded right after coordinator/cases/demo.py. Its plot, over the twelve local months up to
now: 红联北村's drains (the same buildings again and again, until the main stack is cleared;
Ms Li's case of this month is the third in her building within 90 days), abandoned bikes in
the sheds of several old compounds, dead branches before winter (October and November), and
everyday cases in every community and month. Call-backs are answered better year on year,
and better in some communities than others.

Every case has a whole chronology (logged < dispatched < accepted < handled < verified <
call-back < closed; some voided, some reopened and done again, some late, a few still open
and overdue), written as rows with their own timestamps, not through the use cases: figure
tables are worked out again by their own domains' chapters (hotspots.demo, …) and the teams'
records here. Deterministic (a seeded random), idempotent (a case's tracking token is its
natural key: one that exists is left alone), and quick (a few hundred cases in bulk).
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from coordinator import access
from coordinator.auth.models import User
from coordinator.cases import records
from coordinator.cases.models import Callback, Case, CaseEvent
from coordinator.cases.workflow import DEFAULT_SLA_HOURS
from coordinator.demo.story import TEAMS
from coordinator.extensions import db
from coordinator.i18n import to_local, to_utc, utcnow
from coordinator.places.models import Building, Community, Compound

SEED = 2026
MONTHS = 12
PREFIX = "hist-"

# How well each community's call-backs go at the start of the year (it gets better).
QUALITY = {
    "红联北村社区": 0.80,
    "师大北路社区": 0.72,
    "学院南路32号社区": 0.64,
    "文慧园路社区": 0.76,
    "志强北园社区": 0.60,
    "北三环中路40号社区": 0.69,
}
TEXTS = {
    "drain": ["厨房下水道反水。", "卫生间地漏返臭，下水很慢。", "楼前检查井污水外溢。"],
    "plumbing": ["水管接头漏水。", "楼道水表井漏水。", "暖气片跑水，地板湿了。"],
    "electrics": ["楼道声控灯不亮。", "小区路灯不亮，晚上看不清路。", "单元门禁没电。"],
    "trees": ["树枝挡住窗户。", "枯枝悬在人行道上方。", "大树倾斜，担心大风刮倒。"],
    "paving": ["路面坑洼积水。", "便道砖松动绊脚。", "井盖松动，车过有响声。"],
    "cleaning": ["楼后堆放装修垃圾。", "垃圾桶满溢无人清运。", "楼道堆放杂物。"],
    "flyposting": ["单元门贴满小广告。", "楼道墙上小广告反复出现。"],
    "bikes": ["车棚里废弃自行车堆满。", "僵尸车占着车棚，新车停不进去。", "楼道里堆放旧自行车。"],
    "moving": ["老人搬家需要帮忙搬运。", "帮独居老人搬运旧家具。"],
    "other": ["楼道窗户玻璃破损。", "单元门闭门器坏了。", "夜间噪音扰民。"],
}
EVERYDAY = ["plumbing", "electrics", "paving", "cleaning", "flyposting", "moving", "other", "drain"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
TIER_OF = {"drain": "utilities", "plumbing": "utilities", "electrics": "general"}
# 红联北村's drains: (building, months ago, day of month, floor); the last of each run is
# the main stack, cleared. Building 1 is Ms Li's: her case of this month makes three.
DRAINS = [
    ("2号楼", 10, 4, 1),
    ("2号楼", 9, 9, 2),
    ("2号楼", 9, 26, 1),
    ("4号楼", 6, 3, 1),
    ("4号楼", 5, 12, 2),
    ("4号楼", 4, 2, 1),
    ("4号楼", 4, 21, 1),
    ("1号楼", 2, 22, 1),
    ("1号楼", 1, 16, 2),
]
MAIN_STACK = {("2号楼", 9, 26), ("4号楼", 4, 21)}
# Old compounds' bike sheds: (compound, months ago of its cases).
SHEDS = [
    ("西土城路8号院", (8, 6, 5, 3)),
    ("文慧园路小区", (7, 5, 4, 2)),
    ("志强北园", (6, 4, 3)),
    ("北三环中路40号院", (5, 3, 2)),
    ("学院南路32号院", (4, 2, 1)),
]
# Compounds with many trees get the branches of October and November.
TREES = ["红联北村", "红联北村平房区", "西土城路8号院", "学院南路32号院", "志强北园"]


@dataclass
class Spec:
    """One case of the history, as planned (pure data: places by name, times in UTC)."""

    token: str
    community: str
    compound: str
    building: str | None
    category: str
    tier: str
    channel: str
    description: str
    reporter: str
    phone: str
    created: datetime
    months_ago: int
    floor: int | None = None
    main_stack: bool = False
    stuck: bool = False  # still with the team, its deadline passed
    void: bool = False


def _month_start(months_ago: int, now: datetime) -> date:
    local = to_local(now)
    index = local.year * 12 + local.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


def _moment(months_ago: int, day: int, hour: int, minute: int, now: datetime) -> datetime:
    """A local day and time of a month before now, as stored (UTC); never after now."""
    first = _month_start(months_ago, now)
    last_day = (_month_start(months_ago - 1, now) - timedelta(days=1)).day
    local = datetime.combine(first.replace(day=min(day, last_day)), time(hour, minute))
    moment = to_utc(local)
    if moment > now - timedelta(hours=2):
        moment = now - timedelta(hours=2, minutes=minute)
    return moment


def plan(now: datetime) -> list[Spec]:
    """Every case of the history, in a fixed order, from the seed and `now` alone."""
    rnd = random.Random(SEED)
    specs: list[Spec] = []
    compounds = _compound_names()

    def add(**kw):
        n = len(specs) + 1
        kw.setdefault(
            "reporter", rnd.choice(SURNAMES) + rnd.choice(("阿姨", "先生", "女士", "大爷"))
        )
        kw.setdefault("phone", f"137{rnd.randrange(10**8):08d}")
        specs.append(Spec(token=f"{PREFIX}{n:04d}", **kw))

    for months_ago in range(MONTHS - 1, -1, -1):
        for community, names in compounds.items():
            for _ in range(rnd.randint(2, 3)):
                compound, buildings = rnd.choice(names)
                category = rnd.choice(EVERYDAY)
                add(
                    community=community,
                    compound=compound,
                    building=rnd.choice(buildings) if buildings else None,
                    category=category,
                    tier=TIER_OF.get(category, rnd.choice(("general", "general", "complex"))),
                    channel=rnd.choice(("phone", "phone", "hotline_12345", "wechat", "walk_in")),
                    description=rnd.choice(TEXTS[category]),
                    created=_moment(
                        months_ago,
                        rnd.randint(1, 28),
                        rnd.randint(8, 19),
                        rnd.randint(0, 59),
                        now,
                    ),
                    months_ago=months_ago,
                    floor=rnd.randint(1, 6),
                    void=rnd.random() < 0.05,
                )
    for building, months_ago, day, floor in DRAINS:
        stack = (building, months_ago, day) in MAIN_STACK
        add(
            community="红联北村社区",
            compound="红联北村",
            building=building,
            category="drain",
            tier="utilities",
            channel=rnd.choice(("phone", "hotline_12345")),
            description=(
                "一层污水倒灌，楼上用水就往上反，怀疑主管道堵塞。"
                if stack
                else rnd.choice(TEXTS["drain"])
            ),
            created=_moment(months_ago, day, rnd.randint(7, 21), rnd.randint(0, 59), now),
            months_ago=months_ago,
            floor=floor,
            main_stack=stack,
        )
    for compound, months in SHEDS:
        community = next(c for c, names in compounds.items() if compound in dict(names))
        for months_ago in [m for m in months for _ in range(rnd.randint(1, 2))]:
            add(
                community=community,
                compound=compound,
                building=None,
                category="bikes",
                tier="general",
                channel=rnd.choice(("patrol", "patrol", "phone", "wechat")),
                description=rnd.choice(TEXTS["bikes"][:2]),
                created=_moment(months_ago, rnd.randint(1, 28), rnd.randint(8, 17), 10, now),
                months_ago=months_ago,
            )
    for months_ago in range(MONTHS):
        month = _month_start(months_ago, now).month
        if month not in (10, 11):
            continue
        for compound in TREES:
            community = next(c for c, names in compounds.items() if compound in dict(names))
            buildings = dict(compounds[community])[compound]
            for _ in range(rnd.randint(2, 4)):
                add(
                    community=community,
                    compound=compound,
                    building=rnd.choice(buildings) if buildings else None,
                    category="trees",
                    tier=rnd.choice(("general", "general", "emergency")),
                    channel=rnd.choice(("patrol", "patrol", "phone")),
                    description="入冬前巡查：" + rnd.choice(TEXTS["trees"][1:]),
                    created=_moment(months_ago, rnd.randint(1, 28), rnd.randint(8, 16), 30, now),
                    months_ago=months_ago,
                )
    # A few of this month's and last month's cases are still with the team, late.
    recent = [
        s
        for s in specs
        if s.months_ago <= 1
        and not s.void
        and s.created < now - timedelta(hours=DEFAULT_SLA_HOURS[s.tier] + 24)
    ]
    for spec in rnd.sample(recent, min(4, len(recent))):
        spec.stuck = True
    return specs


def _compound_names() -> dict[str, list[tuple[str, list[str]]]]:
    """community → [(compound, [building names])] of the story (demo/story.py's map)."""
    from coordinator.demo.story import COMPOUNDS

    return {
        community: [
            (name, [f"{b}号楼" for b in range(1, count + 1)]) for name, _k, _y, count, *_ in rows
        ]
        for community, rows in COMPOUNDS.items()
    }


# ---------------------------------------------------------------- writing


class Context:
    """The demo's rows the history names, read once."""

    def __init__(self):
        self.communities = dict(db.session.execute(select(Community.name, Community.id)).all())
        self.compounds = {
            name: (cid, community)
            for name, cid, community in db.session.execute(
                select(Compound.name, Compound.id, Compound.community_id)
            )
        }
        self.buildings = {
            (compound, name): bid
            for compound, name, bid in db.session.execute(
                select(Compound.name, Building.name, Building.id).join(
                    Compound, Compound.id == Building.compound_id
                )
            )
        }
        from coordinator.teams.models import Team

        self.teams = dict(db.session.execute(select(Team.name, Team.id)).all())
        users = list(db.session.scalars(select(User)))
        admin = next(u for u in users if u.role == access.ADMIN)
        self.office = {
            cid: next((u for u in users if u.role == access.STAFF and u.community_id == cid), admin)
            for cid in self.communities.values()
        }
        self.leads = {}
        for name, (_kind, _phone, _cap, _skills, _covers, _desc, members) in TEAMS.items():
            lead_name, lead_phone = next((n, p) for n, p, lead in members if lead)
            user = next((u for u in users if u.phone == lead_phone), None)
            self.leads[name] = (user.id if user else None, user.name if user else lead_name)

    def team_for(self, category: str, community: str, rnd: random.Random) -> str:
        """A demo team with the skill that serves the community (any with the skill else)."""
        able = [name for name, row in TEAMS.items() if category in row[3]]
        near = [name for name in able if community in row_covers(name)]
        return rnd.choice(near or able)


def row_covers(team: str) -> list[str]:
    return TEAMS[team][4]


def load() -> None:
    now = utcnow()
    specs = plan(now)
    have = set(
        db.session.scalars(
            select(Case.tracking_token).where(Case.tracking_token.like(f"{PREFIX}%"))
        )
    )
    todo = [s for s in specs if s.token not in have]
    if not todo:
        return
    ctx = Context()
    rnd = random.Random(SEED + 1)
    built = [(spec, _chronology(spec, ctx, rnd, now)) for spec in specs]
    cases = []
    for spec, story in built:
        if spec.token in have:
            continue
        case = Case(**story["case"])
        db.session.add(case)
        cases.append((case, story))
    db.session.flush()
    events, callbacks = [], []
    for case, story in cases:
        for row in story["events"]:
            events.append({**row, "case_id": case.id})
        for row in story["callbacks"]:
            callbacks.append({**row, "case_id": case.id})
    if events:
        db.session.execute(insert(CaseEvent.__table__), events)
    if callbacks:
        db.session.execute(insert(Callback.__table__), callbacks)
    # The teams' records count these rows too (the hot spots' chapter rebuilds its own).
    records.refresh(db.session.connection())


def _chronology(spec: Spec, ctx: Context, rnd: random.Random, now: datetime) -> dict:
    """The case's columns, its trail and its call-backs, every step after the one before
    and none after now: a case whose next step would come later stops where it is."""
    compound_id, community_id = ctx.compounds[spec.compound]
    building_id = ctx.buildings.get((spec.compound, spec.building)) if spec.building else None
    office = ctx.office[community_id]
    team_name = ctx.team_for(spec.category, spec.community, rnd)
    team_id = ctx.teams[team_name]
    lead_id, lead_name = ctx.leads[team_name]
    progress = (MONTHS - 1 - spec.months_ago) / (MONTHS - 1)  # 0 a year ago … 1 now
    quality = min(0.97, QUALITY[spec.community] - 0.1 + 0.3 * progress)
    late_odds = max(0.03, 0.28 - 0.2 * progress + (0.75 - QUALITY[spec.community]) * 0.6)
    sla = timedelta(hours=DEFAULT_SLA_HOURS[spec.tier])

    events: list[dict] = []
    callbacks: list[dict] = []
    case = {
        "tracking_token": spec.token,
        "category": spec.category,
        "tier": spec.tier,
        "channel": spec.channel,
        "hotline_ticket": (
            f"BJ{to_local(spec.created):%y%m%d}{spec.token[-3:]}"
            if spec.channel == "hotline_12345"
            else ""
        ),
        "community_id": community_id,
        "compound_id": compound_id,
        "building_id": building_id,
        "entrance_id": None,
        "floor": spec.floor if building_id else None,
        "household": f"{spec.floor}0{rnd.randint(1, 3)}" if building_id and spec.floor else "",
        "reporter_name": spec.reporter if spec.channel != "patrol" else "",
        "reporter_phone": spec.phone if spec.channel != "patrol" else "",
        "description": spec.description,
        "created_by_id": office.id,
        "created_at": spec.created,
        "status": "received",
        "affects_building": spec.main_stack,
    }
    state = {"status": "received", "at": spec.created, "team": None}

    def step(action, to, at, who="office", note=""):
        """One line of the trail, if it happens by now; False once time runs out."""
        if action != "opened":
            at = max(at, state["at"] + timedelta(minutes=1))
        if at > now:
            return False
        actor_id, actor_name = (office.id, office.name) if who == "office" else (lead_id, lead_name)
        events.append(
            {
                "actor_id": actor_id,
                "actor_name": actor_name,
                "action": action,
                "from_status": state["status"] if action != "opened" else None,
                "to_status": to,
                "note": note,
                "team_id": state["team"],
                "at": at,
            }
        )
        state["status"], state["at"] = to, at
        return True

    step("opened", "received", spec.created)
    if spec.void:
        step(
            "void",
            "void",
            spec.created + timedelta(minutes=rnd.randint(20, 90)),
            note="重复报告，已并入同一问题的前一件。",
        )
        case.update(status="void", updated_at=state["at"])
        return {"case": case, "events": events, "callbacks": callbacks}

    def one_round(start: datetime, again: bool) -> bool:
        """Dispatch → accept → start → hand over → verify → ask: False if time ran out."""
        dispatched = start + timedelta(minutes=rnd.randint(10, 120))
        state["team"] = team_id
        if not step(
            "dispatch", "dispatched", dispatched, note="居民不满意，重新派单。" if again else ""
        ):
            return False
        case.update(team_id=team_id, dispatched_at=dispatched, accepted_at=None, due_at=None)
        accepted = dispatched + timedelta(minutes=rnd.randint(5, 90))
        if not step("accept", "accepted", accepted, who="team"):
            return False
        case.update(accepted_at=accepted, due_at=accepted + sla)
        if not step(
            "start", "in_progress", accepted + timedelta(minutes=rnd.randint(10, 60)), who="team"
        ):
            return False
        if spec.stuck:
            # Still with the team, its deadline long gone: the board's overdue list.
            case["due_at"] = min(case["due_at"], now - timedelta(hours=rnd.randint(3, 48)))
            return False
        if rnd.random() < late_odds:
            took = sla + timedelta(hours=rnd.randint(1, 72))
        else:
            took = sla * rnd.uniform(0.1, 0.8)
        handled = state["at"] + took
        if not step("handle", "handled", handled, who="team"):
            return False
        case["handled_at"] = handled
        case["root_cause"] = "楼体主管道堵塞：头发、湿巾、塑料袋" if spec.main_stack else "日常老化"
        if spec.main_stack:
            case["follow_up"] = "主管道疏通；纳入每半年一次的管道维护"
        verified = handled + timedelta(hours=rnd.randint(1, 24))
        if not step("verify_pass", "verified", verified, note="现场核查，已处理。"):
            return False
        return step("await_callback", "callback", verified + timedelta(minutes=1))

    done_round = one_round(spec.created, False)
    rounds = 0
    while done_round:
        rounds += 1
        asked = state["at"] + timedelta(hours=rnd.randint(2, 48))
        if asked > now:
            break
        contacted = rnd.random() < min(0.99, quality + 0.15)
        solved = rnd.random() < (quality if contacted else quality * 0.6)
        r = rnd.random()
        if solved:
            answer = "satisfied" if r < quality else "basically" if r < 0.97 else "not"
        else:
            answer = "not" if r < 0.75 else "basically"
        if rounds > 1 and answer == "not":  # the second time round it was put right
            answer, solved, contacted = "basically", True, True
        callbacks.append(
            {
                "team_id": team_id,
                "contacted": contacted,
                "solved": solved,
                "satisfaction": answer,
                "by_resident": rnd.random() < 0.4,
                "note": "",
                "recorded_by_id": office.id,
                "created_at": asked,
            }
        )
        step(
            "callback",
            "callback",
            asked,
            note={"satisfied": "满意", "basically": "基本满意"}.get(answer, "不满意"),
        )
        if answer in ("satisfied", "basically"):
            step("close", "closed", asked + timedelta(minutes=1))
            case["closed_at"] = state["at"]
            break
        step("reopen", "reopened", asked + timedelta(minutes=1), note="居民反映问题还在，不满意。")
        case.update(handled_at=None, closed_at=None)
        done_round = one_round(state["at"], True)
    case.update(status=state["status"], updated_at=state["at"])
    return {"case": case, "events": events, "callbacks": callbacks}
