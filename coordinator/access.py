"""Who may open what: every view declares its roles, and anything undeclared is refused.

The check runs once, before every request, from the view's declaration. A view that forgot
to declare is denied (403), so a new route is closed until someone opens it on purpose.

Scoping within a role (own community, own team) is each domain's rule, written once and in one
shape: `visible(stmt, actor)` in the domain's queries.py adds the WHERE for the actor, naming the
actor's community, team or id as the bind parameters below (with the actor's values). A statement
built once per role passes `role_actor(role)` and runs with `scope_params(actor)`.
"""

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from coordinator.extensions import htmx
from coordinator.i18n import lazy_gettext as _l

ADMIN, STAFF, LEAD, WORKER, VOLUNTEER, RESIDENT = (
    "admin",
    "staff",
    "lead",
    "worker",
    "volunteer",
    "resident",
)
ROLES = {
    ADMIN: _l("Subdistrict admin"),
    STAFF: _l("Community staff"),
    LEAD: _l("Team lead"),
    WORKER: _l("Field worker"),
    VOLUNTEER: _l("Volunteer"),
    RESIDENT: _l("Resident"),
}
SIGNED_IN = frozenset(ROLES)
OFFICE = frozenset({ADMIN, STAFF})
TEAM_SIDE = frozenset({LEAD, WORKER})
PUBLIC = "public"


def allow(*roles):
    """Open a view to the given roles (or role sets) once they are signed in."""
    allowed = set()
    for r in roles:
        allowed |= set(r) if isinstance(r, (set, frozenset)) else {r}
    unknown = allowed - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def mark(view):
        view.allowed_roles = frozenset(allowed)
        return view

    return mark


def public(view):
    """Open a view to everyone, signed in or not."""
    view.allowed_roles = PUBLIC
    return view


def allowed_roles(endpoint: str):
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


def guard():
    """before_request: enforce the declaration of the view about to run."""
    if request.endpoint is None:  # no route matched: let the 404/405 handler answer
        return None
    if request.endpoint == "static":
        return None
    roles = allowed_roles(request.endpoint)
    if roles == PUBLIC:
        return None
    if roles is None:
        abort(403)
    if not current_user.is_authenticated:
        target = url_for("auth.login", next=request.full_path.rstrip("?"))
        if htmx:
            # htmx would swap the login page into a fragment; tell it to navigate instead.
            return "", 401, {"HX-Redirect": target}
        return redirect(target)
    if current_user.role not in roles:
        abort(403)
    return None


def require(condition: bool):
    """Scope checks inside a view or service: a row outside the actor's scope is a 404."""
    if not condition:
        abort(404)


class RoleActor:
    """Stands for every actor of one role when a statement is built once for the role (and
    cached): the actor's own community, team and id come as bind parameters when it runs."""

    __slots__ = ("role", "id", "community_id", "team_id")

    def __init__(self, role: str):
        self.role, self.id, self.community_id, self.team_id = role, None, None, None


def role_actor(role: str) -> RoleActor:
    return RoleActor(role)


def scope_params(actor) -> dict:
    """The bind parameters a scope rule names, with this actor's values."""
    return {
        "actor_id": actor.id,
        "actor_community": actor.community_id,
        "actor_team": getattr(actor, "team_id", None),
    }
