"""Reading the people who use the coordinator: the people list and one account."""

from sqlalchemy import bindparam, false, or_, select

from coordinator import access
from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.paging import Page, paginate


def visible(stmt, actor):
    """The people's scope rule: an admin manages everyone, staff their own community's
    accounts, nobody else any."""
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(User.community_id == bindparam("actor_community", actor.community_id))
    return stmt.where(false())


def people_page(actor, q: str, role: str, page: int, per_page: int) -> Page:
    """One page of the people the actor may manage, by name; q looks in names and numbers."""
    stmt = visible(select(User).order_by(User.name, User.id), actor)
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(User.name.like(like), User.phone.like(like)))
    if role:
        stmt = stmt.where(User.role == role)
    return paginate(stmt, page, per_page)


def get_user(actor, user_id: int) -> User | None:
    """An account the actor may manage, or None."""
    return db.session.scalar(visible(select(User).where(User.id == user_id), actor))
