"""The warnings' views (their URLs: blueprint.py): the list, recording one, one warning."""

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from coordinator import access
from coordinator.access import OFFICE, allow
from coordinator.cases.queries import board_labels
from coordinator.i18n import gettext as _
from coordinator.i18n import local_date, to_local, to_utc, utcnow
from coordinator.paging import page_number
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal
from coordinator.warnings import parsing, queries, services, words
from coordinator.warnings.forms import WarningForm

# The fields a pasted text fills, in the form's order.
READ_FIELDS = ("kind", "level", "issued_at", "valid_from", "valid_to", "area")


@allow(OFFICE)
def index():
    """Every warning, newest first; those valid now or ahead stand out."""
    page = queries.warnings_page(current_user, page_number(), current_app.config["PER_PAGE"])
    now = utcnow()
    return render(
        "warnings/index.html",
        page=page,
        rows=[(w, queries.is_current(w, now), words.badge(w)) for w in page.items],
    )


def _form_page(form: WarningForm, status: int = 200, read: list[str] | None = None):
    return render("warnings/new.html", status=status, form=form, read=read)


@allow(OFFICE)
def new():
    """Record a warning: typed in, or its text pasted and read into the fields (the "read"
    button, or htmx as it is pasted) for the person to check before saving."""
    if request.method == "GET":
        return _form_page(WarningForm(formdata=None, data={"area": services.DEFAULT_AREA}))
    form = WarningForm()
    if request.form.get("read"):
        return _form_page(form, read=_fill(form))
    if form.validate_on_submit():
        data = {name: form[name].data for name in ("kind", "level", "area", "text")}
        for name in ("valid_from", "valid_to", "issued_at"):
            data[name] = to_utc(form[name].data)
        try:
            recorded = services.record(current_user, data)
        except Refused as refused:
            return show_refusal(refused, form, lambda status, f: _form_page(f, status))
        made = sum(r.work_count for r in recorded.runs)
        flash(
            _(
                "Recorded the %(name)s; %(count)d jobs made by plans.",
                name=words.name(recorded.warning.kind, recorded.warning.level),
                count=made,
            ),
            "success",
        )
        return redirect(url_for("warnings.detail", warning_id=recorded.warning.id))
    return _form_page(form, 422 if form.is_submitted() else 200)


def _fill(form: WarningForm) -> list[str]:
    """The fields the pasted text fills, filled (what it does not say stays as typed)."""
    reading = parsing.read(form.text.data, today=local_date())
    for name in reading.found():
        field = form[name]
        field.data = getattr(reading, name)
        field.raw_data = None  # show the value read, not what was sent
        field.errors = []
    return [str(form[name].label.text) for name in READ_FIELDS if name in reading.found()]


@allow(OFFICE)
def detail(warning_id: int):
    """The warning, the work its plans made (each compound's case), and the residents' text."""
    warning = queries.get_warning(current_user, warning_id)
    access.require(warning is not None)
    office_name, office_phone, subdistrict = queries.office_of(current_user)
    now = utcnow()
    return render(
        "warnings/detail.html",
        warning=warning,
        warning_badge=words.badge(warning),
        statuses=board_labels()["badges"],
        span=words.valid_span(warning),
        issued=to_local(warning.issued_at),
        current=queries.is_current(warning, now),
        work=queries.work_of(current_user, warning),
        wechat=words.wechat_text(warning, office_name, office_phone, subdistrict),
        now=now,
    )
