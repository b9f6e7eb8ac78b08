"""What the job page's offline script needs from the server (templates/cases/_pending.html):
the service worker's address with the paths it keeps, who is looking, and when the page was
drawn (a kept copy says how old it is)."""

from flask import url_for
from flask_login import current_user

from coordinator.i18n import utcnow


def _prefix(url: str, tail: str) -> str:
    """'/jobs/0' → '/jobs/': the fixed part of a route, read from the URL map."""
    return url[: -len(tail)]


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
    signed_in = current_user.is_authenticated and not door.token
    return {
        "worker": worker,
        "viewer": f"u{current_user.id}" if signed_in else "",
        "signin": url_for("auth.login"),
        "drawn_at": utcnow(),
    }
