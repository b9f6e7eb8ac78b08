from flask import current_app, flash, redirect, request, url_for

from coordinator import access
from coordinator.access import ADMIN, allow
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.notifications import bp, services
from coordinator.notifications.forms import STATUS_LABELS, STATUS_TONES, OutboxFilterForm
from coordinator.paging import page_number
from coordinator.rendering import render
from coordinator.rules import Refused, refuse_page


def outbox_context():
    """The outbox page and its list fragment share this."""
    search = OutboxFilterForm(request.args)
    status = search.status.data if search.validate() else ""
    page = services.search_outbox(
        status=status or "", page=page_number(), per_page=current_app.config["PER_PAGE"]
    )
    return {
        "search": search,
        "page": page,
        "button": ButtonForm(),
        "status_labels": STATUS_LABELS,
        "status_tones": STATUS_TONES,
        "max_attempts": current_app.config["NOTIFY_MAX_ATTEMPTS"],
    }


@bp.get("/outbox")
@allow(ADMIN)
def outbox():
    return render("notifications/outbox.html", **outbox_context())


@bp.post("/outbox/<int:message_id>/retry")
@allow(ADMIN)
def retry(message_id: int):
    if not ButtonForm().validate_on_submit():
        refuse_page(Refused(_("The form expired; please try again."), status=400))
    try:
        message = services.retry_now(message_id)
    except Refused as refused:
        refuse_page(refused)
    access.require(message is not None)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "outbox_list":
        return render("notifications/outbox.html", **outbox_context())  # the badge says it
    flash(_("Message %(id)d will be sent again now.", id=message_id), "success")
    return redirect(url_for("notifications.outbox", **request.args))
