"""Rows for tests, with sensible defaults; each call flushes so ids are there at once."""

import itertools

from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.places.models import Building, Community, Compound, Entrance, Subdistrict
from coordinator.teams.models import Team, TeamMember, TeamSkill
from coordinator.teams.services import refresh_search_text

PASSWORD = "secret-pass-1"
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def phone() -> str:
    return f"139{_n():08d}"


def subdistrict() -> Subdistrict:
    found = db.session.query(Subdistrict).first()
    if found:
        return found
    found = Subdistrict(name="北太平庄街道")
    db.session.add(found)
    db.session.flush()
    return found


def community(name: str | None = None) -> Community:
    row = Community(subdistrict=subdistrict(), name=name or f"测试社区{_n()}")
    db.session.add(row)
    db.session.flush()
    return row


def compound(community_: Community | None = None, name: str | None = None, **kw) -> Compound:
    row = Compound(community=community_ or community(), name=name or f"测试小区{_n()}", **kw)
    db.session.add(row)
    db.session.flush()
    return row


def building(
    compound_: Compound | None = None, name: str | None = None, entrances: int = 2
) -> Building:
    row = Building(compound=compound_ or compound(), name=name or f"{_n()}号楼", floors=6)
    row.entrances = [Entrance(name=f"{i}单元") for i in range(1, entrances + 1)]
    db.session.add(row)
    db.session.flush()
    return row


def team(
    name: str | None = None,
    kind: str = "property",
    skills=("drain",),
    communities=(),
    compounds=(),
    capacity: int = 3,
    members: int = 0,
) -> Team:
    row = Team(name=name or f"测试队{_n()}", kind=kind, capacity=capacity)
    row.skills = [TeamSkill(skill=s) for s in skills]
    row.communities = list(communities)
    row.compounds = list(compounds)
    row.members = [
        TeamMember(name=f"队员{_n()}", phone=phone(), is_lead=i == 0) for i in range(members)
    ]
    db.session.add(row)
    db.session.flush()
    refresh_search_text(row.id)  # as every operation that makes a team does
    return row


def user(
    role: str = "staff",
    community_: Community | None = None,
    team_: Team | None = None,
    name: str | None = None,
    phone_: str | None = None,
    password: str = PASSWORD,
) -> User:
    if role == "staff" and community_ is None:
        community_ = community()
    if role in ("lead", "worker") and team_ is None:
        team_ = team()
    row = User(
        name=name or f"用户{_n()}",
        phone=phone_ or phone(),
        role=role,
        community=community_,
        team=team_,
    )
    row.set_password(password)
    db.session.add(row)
    db.session.flush()
    return row


def commit() -> None:
    db.session.commit()
