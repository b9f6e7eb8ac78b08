"""Use cases for accounts. Each public function is one transaction and commits once (people
management through coordinator.work.unit_of_work)."""

from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from coordinator import access
from coordinator.auth import password_links
from coordinator.auth.models import User, new_session_token
from coordinator.extensions import db
from coordinator.forms import normalise_phone
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.notifications.models import OutboxMessage
from coordinator.rules import Refused
from coordinator.work import Conflict, unit_of_work

# Roles that staff may hand out inside their own community.
STAFF_GRANTABLE = {access.VOLUNTEER, access.RESIDENT, access.STAFF}


@cache
def _dummy_hash(method: str) -> str:
    """A hash of nothing anyone knows, made the way real passwords are (once per process)."""
    return generate_password_hash(new_session_token(), method=method)


def authenticate(phone: str, password: str) -> User | None:
    """A user by phone and password; None for a wrong pair or an inactive account.

    Every attempt checks one password hash of the configured kind, whether or not the number
    has an account (or a password): the answer's timing does not tell which numbers exist.
    """
    user = db.session.scalar(select(User).where(User.phone == normalise_phone(phone)))
    if user is None or not user.password_hash:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        check_password_hash(_dummy_hash(method), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    with unit_of_work():
        user.last_login_at = utcnow()
    return user


def end_sessions(user_id: int) -> None:
    """Sign the account out everywhere: every session and remember-me cookie made so far stops
    loading it (they carry the old token; see auth.models). Joins the caller's unit of work."""
    with unit_of_work():
        db.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(session_token=new_session_token())
            .execution_options(synchronize_session="evaluate")
        )


def ask_for_password_link(phone: str) -> None:
    """Someone asks for a link to set the password of this number's account: texted to the
    number (only its owner reads it) if an account of the self-service roles has it, at most
    once every PASSWORD_LINK_EVERY_MINUTES; the page says the same whatever happened here, so
    it does not tell which numbers have accounts."""
    user = db.session.scalar(select(User).where(User.phone == normalise_phone(phone)))
    if user is None or not user.active or user.role not in password_links.SELF_SERVICE:
        return
    minutes = current_app.config["PASSWORD_LINK_EVERY_MINUTES"]
    recent = db.session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.kind == password_links.KIND,
            OutboxMessage.user_id == user.id,
            OutboxMessage.created_at > utcnow() - timedelta(minutes=minutes),
        )
        .limit(1)
    )
    if recent is not None:
        return
    with unit_of_work():
        password_links.text_link(user)


def set_password_by_link(user: User, bound: str, password: str) -> User:
    """The password from a texted link (password_links.read_link): a conditional write on the
    session token the link was made for, which it renews, so the link works once (two taps at
    once: one sets it, the other is told the link is used) and every earlier session ends."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    hashed = generate_password_hash(password, method=method)  # before the write: it takes a while
    try:
        with unit_of_work():
            result = db.session.execute(
                update(User)
                .where(User.id == user.id, User.session_token == bound, User.active.is_(True))
                .values(password_hash=hashed, session_token=new_session_token())
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise Conflict(_l("This link has been used already. Ask for a new one."))
    finally:
        db.session.expire(user)
    return user


def grantable_roles(actor: User) -> list[str]:
    if actor.role == access.ADMIN:
        return list(access.ROLES)
    return [r for r in access.ROLES if r in STAFF_GRANTABLE]


_PHONE_TAKEN = _l("Someone already has this mobile number.")


def save_user(actor: User, data: dict, user: User | None = None) -> User:
    """Create or update an account.

    Rules: phone numbers are unique; staff manage only their own community, may not make
    admins or team members, and may not change accounts with such roles; office roles need a
    community, team roles need a team; a new account needs a password. Nobody deactivates
    their own account, and the subdistrict always keeps one active admin: the last one can be
    neither deactivated nor given another role.
    """
    role = data["role"]
    if user is not None and user.role not in grantable_roles(actor):
        raise Refused(_l("You cannot change an account with this role."), status=403)
    if role not in grantable_roles(actor):
        raise Refused(_l("You cannot give this role."), field="role", status=403)
    community_id = data.get("community_id") or None
    team_id = data.get("team_id") or None
    if actor.role == access.STAFF:
        community_id = actor.community_id
    if role == access.STAFF and not community_id:
        raise Refused(_l("Community staff need a community."), field="community_id", status=422)
    if role in access.TEAM_SIDE and not team_id:
        raise Refused(_l("Team leads and field workers need a team."), field="team_id", status=422)
    if role not in access.TEAM_SIDE:
        team_id = None
    active = bool(data.get("active", True))
    if user is not None and user.id == actor.id and not active:
        raise Refused(
            _l("You cannot deactivate your own account; ask another admin."),
            field="active",
            status=422,
        )
    phone = normalise_phone(data["phone"])
    clash = db.session.scalar(select(User.id).where(User.phone == phone))
    if clash and (user is None or clash != user.id):
        raise Refused(_PHONE_TAKEN, field="phone", status=422)
    if user is None and not data.get("password"):
        raise Refused(_l("Set a password for the new account."), field="password", status=422)
    # The same number sent twice at once passes the check above in both requests: the
    # unique key decides, and the second gets a 409 at the phone field.
    with unit_of_work(conflict=_PHONE_TAKEN, field="phone"):
        removes_an_admin = (
            user is not None
            and user.role == access.ADMIN
            and user.active
            and (role != access.ADMIN or not active)
        )
        if removes_an_admin:
            _lock_active_admins()
        if user is None:
            user = User()
            db.session.add(user)
        if user.id is not None and (data.get("password") or (user.active and not active)):
            # A new password or a deactivation ends every session the account had (a
            # reactivated account starts from a fresh sign-in, too).
            user.session_token = new_session_token()
        user.name = data["name"].strip()
        user.phone = phone
        user.role = role
        user.community_id = community_id
        user.team_id = team_id
        user.active = active
        if data.get("password"):
            user.set_password(data["password"])
        if removes_an_admin and not _active_admins_after_flush():
            raise Refused(
                _l("This is the last active admin; make another admin first.")
                if not active
                else _l(
                    "This is the last active admin; the role cannot change before "
                    "another admin is made."
                ),
                field="active" if not active else "role",
                status=409,
            )
    return user


def _lock_active_admins() -> None:
    """PostgreSQL: two admins deactivating each other at once must not both succeed. Lock
    the active admins' rows first; the second waits, then counts what the first left.
    (SQLite takes no row locks: there the count after our own write, which holds the one
    write lock, sees every committed change.)"""
    db.session.execute(
        select(User.id).where(User.role == access.ADMIN, User.active).with_for_update()
    )


def _active_admins_after_flush() -> int:
    db.session.flush()
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == access.ADMIN, User.active)
    )


def set_locale(user, lang: str) -> None:
    """Keep the language on the account (user: the User row or the request's SignedIn)."""
    with unit_of_work():
        db.session.execute(update(User).where(User.id == user.id).values(locale=lang))
    user.locale = lang
