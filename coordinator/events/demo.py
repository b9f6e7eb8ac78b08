"""The events of the story: the 西土城路8号院 bike drive, its follow-ups, a wind-warning check.

Times are set relative to the day the demo is first loaded, so the story always reads right:
the first drive is a month behind us (claim period over), the 北三环中路40号 drive happened three
days ago (claims still open), 文慧园路 takes sign-ups, 志强北园 is being planned. Each event is
found by its title before anything is added, so loading twice changes nothing.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from coordinator.attendance.hours import service_minutes
from coordinator.auth.models import User
from coordinator.campaigns.models import Campaign
from coordinator.demo.story import DEMO_PASSWORD
from coordinator.events.models import (
    CONFIRMED,
    DONE,
    DRAFT,
    PENDING,
    PUBLISHED,
    WAITLISTED,
    Event,
    EventRole,
    HoursCorrection,
    Signup,
    VolunteerProfile,
)
from coordinator.events.queries import confirmed_users
from coordinator.extensions import db
from coordinator.i18n import to_utc
from coordinator.places.models import Community, Compound
from coordinator.signups.services import schedule_reminders

# (name, phone, community, id number, volunteer number, skills)
VOLUNTEERS = [
    ("刘芳", "13800000007", "红联北村社区", "110108198505050027", "BJ2019000777", "组织协调、登记"),
    ("马阿姨", "13900000031", "红联北村社区", "", "", "清扫、发通知"),
    ("何同学", "13900000032", "师大北路社区", "", "BJ2023001032", "搬运、拍照"),
    ("张阿姨", "13900000033", "师大北路社区", "", "", "清扫"),
    ("李大爷", "13900000034", "师大北路社区", "", "", "搬运、修自行车"),
    ("王同学", "13900000035", "文慧园路社区", "", "", "搬运"),
    ("赵女士", "13900000036", "志强北园社区", "", "", "登记、拍照"),
    ("钱先生", "13900000037", "北三环中路40号社区", "", "", "搬运"),
]

BIKE_ROLES = [("搬运车辆", 8), ("清扫车棚", 6), ("登记车辆", 2)]
# The roles whose people register bikes at the drive (event_roles.registers_bikes).
REGISTERING_ROLES = {"登记车辆"}
BIKE_TEXT = (
    "车棚内长期无人使用的废弃自行车集中清理。请车主在认领期内凭车辆标签编号和手机号认领；"
    "逾期未认领的车辆交街道统一回收处理。"
)

CAMPAIGN = "老旧小区废弃自行车集中清理"


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return to_utc(datetime(day.year, day.month, day.day, hour, minute))


def _user(phone: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone))


def _community(name: str) -> Community:
    return db.session.scalar(select(Community).where(Community.name == name))


def _compound(name: str) -> Compound:
    return db.session.scalar(select(Compound).where(Compound.name == name))


def _volunteers() -> dict[str, User]:
    people = {}
    for name, phone, community, id_number, number, skills in VOLUNTEERS:
        user = _user(phone)
        if user is None:
            user = User(
                name=name,
                phone=phone,
                role="volunteer",
                community_id=_community(community).id,
                locale="",
            )
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
        if db.session.scalar(select(VolunteerProfile.id).filter_by(user_id=user.id)) is None:
            db.session.add(
                VolunteerProfile(
                    user_id=user.id,
                    id_type="resident_id" if id_number else "",
                    id_number=id_number,
                    volunteer_number=number,
                    skills=skills,
                    availability="周末上午" if "同学" not in name else "周末全天",
                )
            )
        people[name] = user
    db.session.flush()
    return people


def _event(title: str, **values) -> tuple[Event, bool]:
    found = db.session.scalar(select(Event).where(Event.title == title))
    if found is not None:
        return found, False
    roles = values.pop("roles")
    event = Event(title=title, **values)
    event.roles = [
        EventRole(
            name=n,
            capacity=c,
            position=i,
            confirmed_count=0,
            waitlist_seq=0,
            registers_bikes=n in REGISTERING_ROLES,
        )
        for i, (n, c) in enumerate(roles)
    ]
    db.session.add(event)
    db.session.flush()
    return event, True


def _seat(event: Event, role_name: str, user: User, hours=None, confirmer=None) -> Signup:
    """A confirmed place (or the next waitlist place when full); optional worked hours as
    (minutes late in, minutes early out)."""
    role = next(r for r in event.roles if r.name == role_name)
    signup = Signup(
        event_id=event.id, role_id=role.id, user_id=user.id, created_at=event.created_at
    )
    if role.confirmed_count < role.capacity:
        role.confirmed_count += 1
        signup.status, signup.position = CONFIRMED, 0
    else:
        role.waitlist_seq += 1
        signup.status, signup.position = WAITLISTED, role.waitlist_seq
    if hours is not None:
        late, early = hours
        signup.check_in_at = event.starts_at + timedelta(minutes=late)
        signup.check_out_at = event.ends_at - timedelta(minutes=early)
        signup.hours_minutes = service_minutes(signup.check_in_at, signup.check_out_at)
        if confirmer is not None:
            signup.hours_confirmed_by_id = confirmer.id
            signup.hours_confirmed_at = event.ends_at + timedelta(hours=3)
    db.session.add(signup)
    db.session.flush()
    return signup


def load() -> None:
    today = date.today()
    people = _volunteers()
    chen = _user("13800000003")  # 陈楠, 师大北路社区
    zhou = _user("13800000004")  # 周静, 文慧园路社区
    wang = _user("13800000002")  # 王伟, 红联北村社区
    admin = _user("13800000001")  # 刘洋, City Management Office
    worker = _user("13800000006")  # 赵师傅, the property firm's repairman, takes part too
    if None in (chen, zhou, wang, admin):
        return  # the story's people are not there: nothing to hang events on

    # 1. The drive the story tells: a month ago, notice a week before, 15 days to claim.
    day = today - timedelta(days=30)
    first, new = _event(
        "西土城路8号院车棚废弃自行车集中清理",
        kind="bike_drive",
        community_id=_community("师大北路社区").id,
        compound_id=_compound("西土城路8号院").id,
        starts_at=_local(day, 9),
        ends_at=_local(day, 12),
        meeting_place="西土城路8号院车棚",
        bring="手套（车上灰尘多）、水杯",
        organiser_id=chen.id,
        status=DONE,
        sequence=3,
        description="居民孙先生反映车棚内废弃自行车多、孩子被蹭脏。街道城管办指导，社区联合"
        "北京首华物业集中清理，志愿者协助搬运、清扫和登记。",
        notice_date=day - timedelta(days=7),
        claim_days=15,
        notice_text=BIKE_TEXT,
        roles=BIKE_ROLES,
        created_at=_local(day - timedelta(days=9), 10),
        published_at=_local(day - timedelta(days=8), 9),
        updated_at=_local(day, 12, 30),
    )
    if new:
        for role, name, hours in [
            ("登记车辆", "刘芳", (-10, 0)),
            ("登记车辆", "赵女士", (0, 15)),
            ("搬运车辆", "何同学", (-5, 0)),
            ("搬运车辆", "李大爷", (0, 30)),
            ("搬运车辆", "钱先生", (5, 0)),
            ("清扫车棚", "张阿姨", (0, 0)),
            ("清扫车棚", "马阿姨", (10, 20)),
        ]:
            _seat(first, role, people[name], hours, confirmer=chen)
        if worker is not None:
            _seat(first, "搬运车辆", worker, (0, 0), confirmer=chen)
        he = db.session.scalar(
            select(Signup).where(Signup.event_id == first.id, Signup.user_id == people["何同学"].id)
        )
        db.session.add(
            HoursCorrection(
                signup_id=he.id,
                requested_minutes=he.hours_minutes + 30,
                previous_minutes=he.hours_minutes,
                status=PENDING,
                reason="清理结束后我又帮物业把回收车辆装车，大约多干了半小时。",
                requested_at=first.ends_at + timedelta(days=1),
            )
        )

    # 2. 北三环中路40号院: the drive was three days ago; owners can still claim.
    day = today - timedelta(days=3)
    north, new = _event(
        "北三环中路40号院废弃自行车集中清理",
        kind="bike_drive",
        community_id=_community("北三环中路40号社区").id,
        compound_id=_compound("北三环中路40号院").id,
        starts_at=_local(day, 9),
        ends_at=_local(day, 11, 30),
        meeting_place="40号院北侧车棚",
        organiser_id=admin.id,
        status=DONE,
        sequence=2,
        description="参照西土城路8号院的做法开展。",
        notice_date=day - timedelta(days=7),
        claim_days=15,
        notice_text=BIKE_TEXT,
        roles=BIKE_ROLES,
        created_at=_local(day - timedelta(days=10), 10),
        published_at=_local(day - timedelta(days=9), 9),
        updated_at=_local(day, 12),
    )
    if new:
        _seat(north, "搬运车辆", people["钱先生"], (0, 0), confirmer=admin)
        _seat(north, "登记车辆", people["刘芳"], (0, 10), confirmer=admin)
        _seat(north, "清扫车棚", people["张阿姨"], (15, 0))  # hours not yet confirmed

    # 3. 文慧园路: next week, open for sign-up; notices already up.
    day = today + timedelta(days=6)
    wenhui, new = _event(
        "文慧园路小区废弃自行车集中清理",
        kind="bike_drive",
        community_id=_community("文慧园路社区").id,
        compound_id=_compound("文慧园路小区").id,
        starts_at=_local(day, 9),
        ends_at=_local(day, 12),
        meeting_place="小区东门车棚",
        organiser_id=zhou.id,
        status=PUBLISHED,
        sequence=1,
        description="集中清理车棚废弃自行车，欢迎志愿者报名。",
        notice_date=today - timedelta(days=1),
        claim_days=15,
        notice_text=BIKE_TEXT,
        roles=[("搬运车辆", 8), ("清扫车棚", 6), ("登记车辆", 1)],
        published_at=_local(today - timedelta(days=1), 9),
    )
    if new:
        for role, name in [
            ("登记车辆", "刘芳"),
            ("搬运车辆", "王同学"),
            ("搬运车辆", "何同学"),
            ("登记车辆", "赵女士"),
        ]:
            _seat(wenhui, role, people[name])
        schedule_reminders(wenhui, confirmed_users(wenhui))

    # 4. 志强北园: a recycle-and-exchange day being planned (draft).
    day = today + timedelta(days=14)
    _event(
        "志强北园旧物回收兑换日",
        kind="recycle_exchange",
        community_id=_community("志强北园社区").id,
        compound_id=_compound("志强北园").id,
        starts_at=_local(day, 9, 30),
        ends_at=_local(day, 11, 30),
        meeting_place="志强北园小广场",
        organiser_id=admin.id,
        status=DRAFT,
        description="居民用废旧自行车和旧物兑换生活用品；回收的车辆交街道统一处理。",
        notice_date=today + timedelta(days=7),
        claim_days=15,
        roles=[("回收登记", 3), ("兑换发放", 4), ("秩序引导", 2)],
    )

    # The four drives as one campaign (the bikes domain shows it side by side).
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == CAMPAIGN))
    if campaign is None:
        campaign = Campaign(
            title=CAMPAIGN,
            created_by_id=admin.id,
            source_event_id=first.id,
            created_at=first.ends_at + timedelta(days=20),
        )
        db.session.add(campaign)
        db.session.flush()
        for title in (
            "西土城路8号院车棚废弃自行车集中清理",
            "北三环中路40号院废弃自行车集中清理",
            "文慧园路小区废弃自行车集中清理",
            "志强北园旧物回收兑换日",
        ):
            event = db.session.scalar(select(Event).where(Event.title == title))
            if event is not None and event.campaign_id is None:
                event.campaign_id = campaign.id

    # 5. Before a yellow wind warning: check trees for dead branches tomorrow morning.
    day = today + timedelta(days=1)
    trees, new = _event(
        "大风黄色预警前枯枝隐患巡查",
        kind="other",
        community_id=_community("红联北村社区").id,
        compound_id=_compound("红联北村").id,
        starts_at=_local(day, 8),
        ends_at=_local(day, 10),
        meeting_place="红联北村社区居委会门口",
        organiser_id=wang.id,
        status=PUBLISHED,
        sequence=1,
        description="气象台发布大风黄色预警。巡查院内树木枯枝、松动广告牌和晾晒物，记录位置"
        "交园林公司修剪；提醒居民收好阳台物品。",
        roles=[("巡查记录", 4), ("提醒居民", 4)],
        published_at=_local(today, 9),
    )
    if new:
        _seat(trees, "提醒居民", people["马阿姨"])
        _seat(trees, "巡查记录", people["刘芳"])
        schedule_reminders(trees, confirmed_users(trees))
    db.session.flush()
