"""A text message with a link to set one's password: for a walk-in whose account the organiser
made at the event (it has no password), and for anyone of the roles below who forgot theirs.

The link is signed and bound to the account's session token, which setting the password
renews: it works once, "sign out on every device" closes it too, and it expires after
PASSWORD_LINK_HOURS. Only the phone's owner receives it, so asking for one is open to anyone;
staff and admins reset theirs through an admin (/people), not by text."""

import hmac

from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from coordinator import access
from coordinator.auth.models import User
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.notifications.services import queue
from coordinator.urls import external_url

KIND = "password_link"
SELF_SERVICE = frozenset({access.VOLUNTEER, access.RESIDENT, access.LEAD, access.WORKER})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


def link_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "s": user.session_token})


def read_link(token: str) -> tuple[User, str] | None:
    """(the account, the session token the link was made for), or None: a link that is forged,
    expired, used, closed by signing out everywhere, or of an account switched off."""
    hours = current_app.config["PASSWORD_LINK_HOURS"]
    try:
        data = _serializer().loads(token, max_age=hours * 3600)
        user_id, bound = int(data["u"]), str(data["s"])
    except (BadSignature, SignatureExpired, KeyError, TypeError, ValueError, OverflowError):
        return None
    user = db.session.get(User, user_id) if 0 < user_id < 2**63 else None
    if user is None or not user.active or user.role not in SELF_SERVICE:
        return None
    if not hmac.compare_digest(user.session_token, bound):
        return None
    return user, bound


def text_link(user: User, event_title: str | None = None):
    """Queue the link for the account's phone, in the caller's transaction, in its language.
    event_title: the event where the organiser registered this walk-in."""
    url = external_url("auth.set_password", token=link_token(user))
    days = max(1, current_app.config["PASSWORD_LINK_HOURS"] // 24)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        if event_title:
            body = _(
                "You are registered as a volunteer at “%(event)s”: your hours are kept under "
                "this number. Set a password to see them (link valid %(days)s days): %(url)s",
                event=event_title,
                days=days,
                url=url,
            )
        else:
            body = _(
                "Set your password for the community service coordinator (link valid %(days)s "
                "days; if you did not ask for it, ignore this message): %(url)s",
                days=days,
                url=url,
            )
    return queue(KIND, user.phone, body, user_id=user.id)
