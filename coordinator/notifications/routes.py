"""The outbox's views (their URLs: blueprint.py)."""

from flask import current_app, flash, redirect, request, url_for

from coordinator import access
from coordinator.access import ADMIN, allow
from coordinator.filters import chosen, options
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.i18n import translated
from coordinator.notifications import queries, services
from coordinator.notifications.models import (
    CHANNEL_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    STATUS_TONES,
    SUBJECT_LABELS,
)
from coordinator.paging import page_number
from coordinator.rendering import render


def outbox_context():
    """The outbox page and its list fragment share this; the filter comes from the query
    string."""
    statuses = [("", _("All")), *STATUS_LABELS.items()]
    status = chosen(statuses, request.args.get("status"))
    page = queries.outbox_page(
        status=status, page=page_number(), per_page=current_app.config["PER_PAGE"]
    )
    return {
        "status_filter": options(statuses, status),
        "page": page,
        "button": ButtonForm(),
        "status_labels": STATUS_LABELS,
        "status_tones": STATUS_TONES,
        "kind_labels": translated(KIND_LABELS),
        "channel_labels": translated(CHANNEL_LABELS),
        "subject_labels": translated(SUBJECT_LABELS),
        "max_attempts": current_app.config["NOTIFY_MAX_ATTEMPTS"],
    }


@allow(ADMIN)
def outbox():
    return render("notifications/outbox.html", **outbox_context())


@allow(ADMIN)
def retry(message_id: int):
    message = services.retry_now(message_id)
    access.require(message is not None)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "outbox_list":
        return render("notifications/outbox.html", **outbox_context())  # the badge says it
    flash(_("Message %(id)d will be sent again now.", id=message_id), "success")
    return redirect(url_for("notifications.outbox", **request.args))
