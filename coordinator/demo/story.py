"""The places, teams and people of the Beitaipingzhuang story. Phone numbers are made up."""

from sqlalchemy import select

from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.places.models import Building, Community, Compound, Entrance, Grid, Subdistrict
from coordinator.teams.models import Team, TeamMember, TeamSkill
from coordinator.teams.services import refresh_search_text

DEMO_PASSWORD = "demo1234"

# (role, name, phone, community, team)
PEOPLE = [
    ("admin", "刘洋", "13800000001", None, None),
    ("staff", "王伟", "13800000002", "红联北村社区", None),
    ("staff", "陈楠", "13800000003", "师大北路社区", None),
    ("staff", "周静", "13800000004", "文慧园路社区", None),
    ("lead", "张建国", "13800000005", None, "北京首华物业管理有限公司"),
    ("worker", "赵师傅", "13800000006", None, "北京首华物业管理有限公司"),
    ("volunteer", "刘芳", "13800000007", "红联北村社区", None),
    ("resident", "孙先生", "13800000008", "师大北路社区", None),
]
LOGINS = [
    (role, name, phone)
    for role, name, phone, _c, _t in PEOPLE
    if name in {"刘洋", "王伟", "张建国", "赵师傅", "刘芳", "孙先生"}
]

COMMUNITIES = {
    "红联北村社区": ("010-62010001", "北京市海淀区红联北村"),
    "师大北路社区": ("010-62010002", "北京市海淀区师大北路"),
    "学院南路32号社区": ("010-62010003", "北京市海淀区学院南路32号"),
    "文慧园路社区": ("010-62010004", "北京市海淀区文慧园路"),
    "志强北园社区": ("010-62010005", "北京市海淀区志强北园"),
    "北三环中路40号社区": ("010-62010006", "北京市海淀区北三环中路40号"),
}

# community: [(compound, kind, year, buildings, bike shed, many trees)]
COMPOUNDS = {
    "红联北村社区": [
        ("红联北村", "compound", 1984, 8, True, True),
        ("红联北村平房区", "bungalow", 1965, 0, False, True),
    ],
    "师大北路社区": [
        ("西土城路8号院", "compound", 1988, 6, True, True),
        ("师大北路小区", "compound", 1995, 5, True, False),
    ],
    "学院南路32号社区": [("学院南路32号院", "compound", 1982, 10, True, True)],
    "文慧园路社区": [("文慧园路小区", "compound", 1990, 7, True, False)],
    "志强北园社区": [("志强北园", "compound", 1987, 9, True, True)],
    "北三环中路40号社区": [
        ("北三环中路40号院", "compound", 1992, 6, True, False),
        ("北三环中路商铺", "business", 2005, 1, False, False),
    ],
}

# Street addresses, so that a resident finds the place by the road they live on (made up).
ADDRESSES = {
    "红联北村": "新街口外大街红联北村",
    "红联北村平房区": "新街口外大街红联北村东侧",
    "西土城路8号院": "西土城路8号",
    "师大北路小区": "师大北路12号",
    "学院南路32号院": "学院南路32号",
    "文慧园路小区": "文慧园路5号",
    "志强北园": "志强园北街3号",
    "北三环中路40号院": "北三环中路40号",
    "北三环中路商铺": "北三环中路42号",
}

# team: (kind, phone, capacity, skills, communities, description, members[(name, phone, lead)])
TEAMS = {
    "北京首华物业管理有限公司": (
        "property",
        "010-62020001",
        5,
        ["drain", "plumbing", "electrics", "cleaning", "moving"],
        ["红联北村社区", "师大北路社区"],
        "红联北村和西土城路8号院的物业公司，负责管道疏通、维修和保洁。",
        [
            ("张建国", "13800000005", True),
            ("赵师傅", "13800000006", False),
            ("钱师傅", "13900000011", False),
            ("孙师傅", "13900000012", False),
        ],
    ),
    "红联北村能工巧匠服务队": (
        "handymen",
        "",
        3,
        ["plumbing", "electrics", "moving", "other"],
        ["红联北村社区"],
        "社区周边的能工巧匠：水电小修、搬运、家具维修。",
        [("吴师傅", "13900000021", True), ("郑大爷", "13900000022", False)],
    ),
    "北太平庄街道志愿服务队": (
        "volunteers",
        "",
        20,
        ["cleaning", "moving", "bikes", "flyposting"],
        list(COMMUNITIES),
        "居民志愿者：清理活动、张贴通知、陪护老人。",
        [
            ("刘芳", "13800000007", True),
            ("马阿姨", "13900000031", False),
            ("何同学", "13900000032", False),
        ],
    ),
    "北京绿荫园林绿化工程有限公司": (
        "contractor",
        "010-62020004",
        4,
        ["trees"],
        list(COMMUNITIES),
        "树木修剪和园林养护；大风预警前巡查枯枝。",
        [("冯队长", "13900000041", True), ("陈师傅", "13900000042", False)],
    ),
    "师大北路产权单位维修组": (
        "rights_unit",
        "010-62020005",
        2,
        ["plumbing", "paving", "electrics"],
        ["师大北路社区"],
        "产权单位的房屋维修人员。",
        [("褚工", "13900000051", True)],
    ),
}


def _one(model, **keys):
    return db.session.scalar(select(model).filter_by(**keys))


def _get_or_add(model, keys: dict, values: dict | None = None):
    """Find by natural key, or add; never overwrite what a person may have edited since."""
    row = _one(model, **keys)
    if row is None:
        row = model(**keys, **(values or {}))
        db.session.add(row)
        db.session.flush()
    return row


def load() -> None:
    sub = _get_or_add(Subdistrict, {"name": "北太平庄街道"}, {"office_phone": "010-62010000"})
    communities = {}
    for name, (phone, address) in COMMUNITIES.items():
        communities[name] = _get_or_add(
            Community,
            {"name": name},
            {"subdistrict_id": sub.id, "office_phone": phone, "address": address},
        )
    compounds = {}
    for cname, rows in COMPOUNDS.items():
        for name, kind, year, buildings, shed, trees in rows:
            compound = _get_or_add(
                Compound,
                {"community_id": communities[cname].id, "name": name},
                {
                    "kind": kind,
                    "year_built": year,
                    "building_count": buildings,
                    "has_bike_shed": shed,
                    "many_trees": trees,
                    "address": ADDRESSES.get(name, ""),
                },
            )
            compounds[name] = compound
            for b in range(1, buildings + 1):
                building = _get_or_add(
                    Building, {"compound_id": compound.id, "name": f"{b}号楼"}, {"floors": 6}
                )
                for e in range(1, 4 if kind == "compound" else 2):
                    _get_or_add(Entrance, {"building_id": building.id, "name": f"{e}单元"})

    teams = {}
    for tname, (kind, phone, cap, skills, covers, desc, members) in TEAMS.items():
        team = _one(Team, name=tname)
        if team is None:
            team = Team(name=tname, kind=kind, phone=phone, capacity=cap, description=desc)
            team.skills = [TeamSkill(skill=s) for s in skills]
            team.communities = [communities[c] for c in covers]
            team.members = [TeamMember(name=n, phone=p, is_lead=lead) for n, p, lead in members]
            db.session.add(team)
            db.session.flush()
            refresh_search_text(team.id)
        teams[tname] = team

    for role, name, phone, cname, tname in PEOPLE:
        user = _one(User, phone=phone)
        if user is None:
            user = User(
                name=name,
                phone=phone,
                role=role,
                community_id=communities[cname].id if cname else None,
                team_id=teams[tname].id if tname else None,
                locale="",
            )
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
        for member in db.session.scalars(select(TeamMember).filter_by(phone=phone)):
            member.user_id = user.id

    staff = {u.community_id: u for u in db.session.scalars(select(User).filter_by(role="staff"))}
    for cname, community in communities.items():
        worker = staff.get(community.id)
        _get_or_add(
            Grid,
            {"community_id": community.id, "name": f"{cname[:-2]}第一网格"},
            {"worker_id": worker.id if worker else None},
        )
