"""The demo story loads, tells DOMAIN.md's story, and loading it again changes nothing."""

from sqlalchemy import func, select

from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.places.models import Community, Compound
from coordinator.teams.models import Team


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_demo_load_is_idempotent_and_tells_the_story(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = row_counts()
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0, again.output
    assert row_counts() == counts

    assert db.session.scalar(select(func.count(Community.id))) == 6
    compound = db.session.scalar(select(Compound).where(Compound.name == "西土城路8号院"))
    assert compound.community.name == "师大北路社区" and compound.has_bike_shed
    assert db.session.scalar(select(Team).where(Team.name == "北京首华物业管理有限公司"))
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"admin", "staff", "lead", "worker", "volunteer", "resident"}


def test_demo_logins_are_printed(app):
    output = app.test_cli_runner().invoke(args=["demo", "logins"]).output
    for role in ("admin", "staff", "lead", "worker", "volunteer", "resident"):
        assert role in output
    assert "13800000002" in output and "demo1234" in output
