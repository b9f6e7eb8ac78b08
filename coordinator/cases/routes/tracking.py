"""The resident's side: the tracking link (/track/<token>), how the report goes and the
call-back answers (the rating) when the case asks for them; a signed-in resident's own reports."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from coordinator import access
from coordinator.access import allow, public
from coordinator.cases import job_links, queries, services, similar, workflow
from coordinator.cases.forms import CallbackForm
from coordinator.categories import category_labels
from coordinator.forms import MOBILE
from coordinator.i18n import gettext as _
from coordinator.paging import page_number
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal


def _tracked(token):
    case = queries.get_by_token(token)
    access.require(case is not None)
    return case


def _track_page(token):
    """page(status, form): the tracking page as the case is now (read again, unless given)."""

    def page(status, form=None, case=None):
        case = case or _tracked(token)
        followed = queries.followed(case)
        return render(
            "cases/track.html",
            status=status,
            case=case,
            steps=queries.resident_steps(case, followed=followed is not None),
            link=job_links.tracking_url(case),
            texted=bool(MOBILE.match(case.reporter_phone or "")),
            # Only the followed case's kind, place down to the building, status and steps:
            # never its resident's name, phone, door, words or answers.
            followed=followed,
            followed_status=similar.PUBLIC_STATUS.get(followed.status, "") if followed else "",
            followed_steps=queries.resident_steps(followed, own=False) if followed else [],
            form=form or CallbackForm(formdata=None),
            asks=case.status in workflow.ASKING,
            mine=current_user.is_authenticated and current_user.role == access.RESIDENT,
            status_words=queries.resident_status,
        )

    return page


@public
def track(token: str):
    page = _track_page(token)
    if request.method == "GET":
        return page(200)
    case = _tracked(token)
    form = CallbackForm()
    if not form.validate_on_submit():
        return page(422, form, case)
    try:
        services.record_callback(services.resident(case), case, form.data, by_resident=True)
    except Refused as refused:
        return show_refusal(refused, form, page)
    flash(_("Thank you for your answers."), "success")
    return redirect(url_for("cases.track", token=token))


@allow(access.RESIDENT)
def my_reports():
    """A signed-in resident's own reports (queries.my_reports: by their account's phone), each
    opening its tracking page."""
    return render(
        "cases/my_reports.html",
        page=queries.my_reports(current_user, page_number()),
        categories=category_labels(),
        status_words=queries.resident_status,
        tones={status: tone for status, (_label, tone) in workflow.STATUSES.items()},
    )
