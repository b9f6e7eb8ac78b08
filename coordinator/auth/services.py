"""Use cases for accounts. Each public function is one transaction and commits once."""

from sqlalchemy import or_, select, update

from coordinator import access
from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.forms import normalise_phone
from coordinator.i18n import lazy_gettext as _l
from coordinator.paging import paginate
from coordinator.rules import Refused
from coordinator.ui import utcnow

# Roles that staff may hand out inside their own community.
STAFF_GRANTABLE = {access.VOLUNTEER, access.RESIDENT, access.STAFF}


def authenticate(phone: str, password: str) -> User | None:
    """A user by phone and password; None for a wrong pair or an inactive account."""
    user = db.session.scalar(select(User).where(User.phone == normalise_phone(phone)))
    if user is None:
        # Spend the same time as a real check, so timing does not reveal which numbers exist.
        User(password_hash="").check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def users_query(actor: User, q: str = "", role: str = ""):
    """The people the actor may manage: everyone for an admin, their community for staff."""
    stmt = select(User).order_by(User.name, User.id)
    if actor.role == access.STAFF:
        stmt = stmt.where(User.community_id == actor.community_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(User.name.like(like), User.phone.like(like)))
    if role:
        stmt = stmt.where(User.role == role)
    return stmt


def list_users(actor: User, q: str, role: str, page: int, per_page: int):
    return paginate(users_query(actor, q, role), page, per_page)


def get_user(actor: User, user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    if user is None:
        return None
    if actor.role == access.STAFF and user.community_id != actor.community_id:
        return None
    return user


def grantable_roles(actor: User) -> list[str]:
    if actor.role == access.ADMIN:
        return list(access.ROLES)
    return [r for r in access.ROLES if r in STAFF_GRANTABLE]


def save_user(actor: User, data: dict, user: User | None = None) -> User:
    """Create or update an account.

    Rules: phone numbers are unique; staff manage only their own community and may not make
    admins or team members; office roles need a community, team roles need a team; a new
    account needs a password.
    """
    role = data["role"]
    if role not in grantable_roles(actor):
        raise Refused(_l("You cannot give this role."), field="role", status=403)
    community_id = data.get("community_id") or None
    team_id = data.get("team_id") or None
    if actor.role == access.STAFF:
        community_id = actor.community_id
    if role == access.STAFF and not community_id:
        raise Refused(_l("Community staff need a community."), field="community_id", status=422)
    if role in access.TEAM_SIDE and not team_id:
        raise Refused(_l("Team leads and field workers need a team."), field="team_id",
                      status=422)
    if role not in access.TEAM_SIDE:
        team_id = None
    phone = normalise_phone(data["phone"])
    clash = db.session.scalar(select(User.id).where(User.phone == phone))
    if clash and (user is None or clash != user.id):
        raise Refused(_l("Someone already has this mobile number."), field="phone", status=422)
    if user is None:
        if not data.get("password"):
            raise Refused(_l("Set a password for the new account."), field="password",
                          status=422)
        user = User()
        db.session.add(user)
    user.name = data["name"].strip()
    user.phone = phone
    user.role = role
    user.community_id = community_id
    user.team_id = team_id
    user.active = bool(data.get("active", True))
    if data.get("password"):
        user.set_password(data["password"])
    db.session.commit()
    return user


def set_locale(user, lang: str) -> None:
    """Keep the language on the account (user: the User row or the request's SignedIn)."""
    db.session.execute(update(User).where(User.id == user.id).values(locale=lang))
    db.session.commit()
    user.locale = lang
