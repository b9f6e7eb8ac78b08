"""What the job page's offline script needs from the server (templates/cases/_pending.html):
the service worker's address with the paths it keeps, who is looking, and when the page was
drawn (a kept copy says how old it is); who is signed in on every page (templates/base.html:
kept items are sent from any page); and the steps the page shows next as steps are kept with
no signal (steps_ahead)."""

from typing import NamedTuple

from flask import url_for
from flask_login import current_user

from coordinator.cases import workflow
from coordinator.i18n import utcnow


def _prefix(url: str, tail: str) -> str:
    """'/jobs/0' → '/jobs/': the fixed part of a route, read from the URL map."""
    return url[: -len(tail)]


def viewer() -> str:
    """Whose kept items this page may send: the account signed in ("" for none). Items kept
    through a job link name no account (the link in their address is their key)."""
    return f"u{current_user.id}" if current_user.is_authenticated else ""


def offline_sender() -> dict:
    """What every page tells the offline script (templates/base.html), which sends a signed-in
    worker's kept items from whatever page is open when the signal returns."""
    return {"viewer": viewer(), "signin": url_for("auth.login")}


def offline_panel(door) -> dict:
    """The data of the job page's "not sent yet" panel. viewer: whose kept items this page may
    send: the account signed in (a job link's items need none, the link is their key)."""
    worker = url_for(
        "cases.service_worker",
        jobs=_prefix(url_for("cases.job", case_id=0), "0"),
        link=_prefix(url_for("cases.job_link", token="0"), "0"),
        static=url_for("static", filename=""),
        photos=_prefix(url_for("uploads.photo", photo_id=0), "0"),
        signin=url_for("auth.login"),
        signout=url_for("auth.logout"),
    )
    return {
        "worker": worker,
        "viewer": "" if door.token else viewer(),
        "signin": url_for("auth.login"),
        "drawn_at": utcnow(),
    }


# The steps a field worker takes with the page's one big button on the way to "done", in order.
ON_THE_WAY = ("start", "arrive")
# A visit note kept on the phone puts the worker on site as "arrived" does (services.add_visit
# arrives for an accepted job; in progress, workflow.on_site counts a visit): it hides
# "arrived" and reveals what arriving would.
VISIT = "visit"


class Step(NamedTuple):
    """One step's button as the offline page shows it: hidden until one of `after` is kept on
    the phone (none: shown now), and hidden again once one of `until` is."""

    action: str
    after: tuple[str, ...]
    until: tuple[str, ...]


class Ahead(NamedTuple):
    """What a job page offers beyond its state, for the phone to show as steps are kept
    offline (static/js/offline.js): the big button's step, the steps that follow it (rendered
    hidden), and which kept steps reveal the done form (() = as the page shows it)."""

    now: Step | None
    later: tuple[Step, ...]
    done_after: tuple[str, ...]


NOTHING_AHEAD = Ahead(None, (), ())


def _moved(status: str, here: bool, action: str, role: str) -> tuple[str, bool] | None:
    """Where the table takes a case in this status (on site or not) by this role's step."""
    rule = workflow.TABLE.get((status, action))
    if rule is None or role not in rule.roles or (action == "arrive" and here):
        return None
    return rule.to, here or action == "arrive"


def _may_finish(status: str, role: str) -> bool:
    rule = workflow.TABLE.get((status, "handle"))
    return rule is not None and role in rule.roles


def steps_ahead(case, role: str, step: str | None) -> Ahead:
    """The steps that follow the page's big button (step) on a phone with no signal, read from
    the workflow table as the server would offer them once each is taken: accepted, "on my
    way" → "arrived" → the done form; in progress and not on site, "arrived" (done is there
    already). Other steps (accept, resume, …) and other roles: nothing ahead."""
    if step not in ON_THE_WAY:
        return NOTHING_AHEAD
    path = ON_THE_WAY[ON_THE_WAY.index(step) :]
    status, here = case.status, workflow.on_site(case)
    if _moved(status, here, step, role) is None:  # not this role's step
        return NOTHING_AHEAD
    finishing = _may_finish(status, role)
    later, done_after = [], ()
    for i, action in enumerate(path):
        moved = _moved(status, here, action, role)
        if moved is None:
            break
        if i:
            later.append(Step(action, (path[i - 1],), (*path[i:], VISIT)))
        status, here = moved
        if not finishing and not done_after and _may_finish(status, role):
            done_after = (*path[i:], VISIT)
    return Ahead(Step(step, (), (*path, VISIT)), tuple(later), done_after)
