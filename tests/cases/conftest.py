"""Rows and helpers for the cases tests: a place, a team that covers it, people, a case."""

from dataclasses import dataclass

import pytest

from coordinator.cases import services, workflow
from coordinator.extensions import db


@dataclass
class World:
    community: object
    compound: object
    building: object
    team: object
    staff: object
    admin: object
    lead: object
    worker: object
    other_team: object
    other_worker: object
    other_staff: object

    def case_data(self, **kw):
        data = dict(
            channel="phone",
            hotline_ticket="",
            category="drain",
            tier="general",
            community_id=self.community.id,
            compound_id=self.compound.id,
            building_id=self.building.id,
            entrance_id=self.building.entrances[0].id,
            floor=1,
            household="101",
            reporter_name="李阿姨",
            reporter_phone="13912345678",
            description="厨房下水道反水",
        )
        data.update(kw)
        return data

    def case(self, status="received", **kw):
        """A case walked through the workflow to the given status."""
        case = services.open_case(self.staff, self.case_data(**kw))
        walk(case, status, self)
        return case


PATHS = {
    "received": [],
    "void": [("void", "staff", "重复")],
    "dispatched": [("dispatch", "staff", "")],
    "returned": [("dispatch", "staff", ""), ("return", "lead", "不归我们管")],
    "accepted": [("dispatch", "staff", ""), ("accept", "lead", "")],
    "in_progress": [("dispatch", "staff", ""), ("accept", "lead", ""), ("start", "worker", "")],
}
PATHS["extended"] = PATHS["in_progress"] + [("extend", "worker", "等配件")]
PATHS["parked"] = PATHS["in_progress"] + [("park", "staff", "冬季施工")]
PATHS["handled"] = PATHS["in_progress"] + [("handle", "worker", "")]
PATHS["verified"] = PATHS["handled"] + [("verify_pass", "staff", "")]
PATHS["callback"] = PATHS["verified"] + [("await_callback", "staff", "")]
PATHS["closed"] = PATHS["callback"] + [("close", "staff", "")]
PATHS["reopened"] = PATHS["callback"] + [("reopen", "staff", "不满意")]


def walk(case, status, world):
    for action, who, note in PATHS[status]:
        actor = getattr(world, who)
        workflow.transition(
            case, action, actor, note, team_id=world.team.id if action == "dispatch" else None
        )
    db.session.commit()
    return case


@pytest.fixture(autouse=True)
def english(request):
    """Messages are asserted in their English source; one test asks for Chinese on purpose."""
    if "app" not in request.fixturenames:
        yield
        return
    apps = [request.getfixturevalue("app"), request.getfixturevalue("web_app")]
    for each in apps:
        each.config["BABEL_DEFAULT_LOCALE"] = "en"
    yield
    for each in apps:
        each.config["BABEL_DEFAULT_LOCALE"] = "zh"


@pytest.fixture
def chinese(app, web_app, english):
    for each in (app, web_app):
        each.config["BABEL_DEFAULT_LOCALE"] = "zh"


@pytest.fixture
def world(app, make):
    community = make.community("红联北村社区")
    compound = make.compound(community, "红联北村")
    building = make.building(compound, "3号楼", entrances=2)
    team = make.team(
        "北京首华物业管理有限公司",
        skills=("drain", "plumbing"),
        communities=[community],
        capacity=5,
        members=1,
    )
    other_team = make.team("别的队", skills=("drain",), communities=[community], capacity=5)
    lead = make.user("lead", team_=team, name="张建国")
    team.members[0].user_id = lead.id
    team.members[0].phone = lead.phone
    world = World(
        community=community,
        compound=compound,
        building=building,
        team=team,
        staff=make.user("staff", community_=community, name="王伟"),
        admin=make.user("admin", name="刘洋"),
        lead=lead,
        worker=make.user("worker", team_=team, name="赵师傅"),
        other_team=other_team,
        other_worker=make.user("worker", team_=other_team, name="外队师傅"),
        other_staff=make.user("staff", name="别的社区"),
    )
    make.commit()
    return world


@pytest.fixture
def other_lead(world, make):
    """The other team gets a lead, who hears of the jobs sent to it."""
    from coordinator.teams.models import TeamMember

    lead = make.user("lead", team_=world.other_team, name="李队长")
    db.session.add(
        TeamMember(
            team_id=world.other_team.id,
            name="李队长",
            phone=lead.phone,
            is_lead=True,
            user_id=lead.id,
        )
    )
    make.commit()
    return lead
