"""The case page (/cases/<id>): dispatch, the workflow's steps, the resident's phone, the
call-back, links between cases, notices to residents and the job link sent to a team."""

from flask import flash, redirect, url_for
from flask_login import current_user

from coordinator import access
from coordinator.access import OFFICE, allow
from coordinator.cases import job_links, queries, services, similar, workflow
from coordinator.cases.forms import (
    CallbackForm,
    DispatchForm,
    LinkForm,
    NoteForm,
    NoticeForm,
    ReassignForm,
    RecallForm,
    SendLinkForm,
)
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal

# Steps the page offers in their own sections (dispatch, call-back), not as buttons.
NOT_BUTTONS = ("dispatch", "close", "reopen", "await_callback", "recall", "reassign")


def _case_or_404(case_id: int):
    case = queries.get_case(current_user, case_id)
    access.require(case is not None)
    return case


def detail_context(case, revealed=False, **forms):
    """The case page's context; a form sent back (refused or invalid) is shown as it came."""
    dispatch_form = forms.get("dispatch_form") or DispatchForm(formdata=None)
    teams = queries.team_options(case)
    dispatch_form.team_id.choices = [("", _("— choose a team —"))] + teams
    # Reassigning offers the teams that may take the case, but not the one that has it.
    reassign_form = forms.get("reassign_form") or ReassignForm(formdata=None, prefix="reassign")
    reassign_form.team_id.choices = [("", _("— choose a team —"))] + [
        (team_id, name) for team_id, name in teams if team_id != case.team_id
    ]
    notice_form = forms.get("notice_form") or NoticeForm(formdata=None)
    notice_form.entrance_id.choices = [("", _("Whole building"))] + queries.place_options(
        "entrance", case.building_id
    )
    can = workflow.actions_for(case, current_user.role)
    links = queries.links_of(case)
    return {
        "case": case,
        "revealed": revealed,
        "button": ButtonForm(),
        "actions": [a for a in can if a not in NOT_BUTTONS],
        "can": set(can),
        "can_send_link": case.team is not None and case.status in workflow.LINKABLE,
        "links": links,
        "linked_ids": {link.other_id for link in links if link.case_id == case.id},
        "similar": similar.for_case(current_user, case),
        "join_reasons": {
            link.other_id: services.join_reason(link.kind, link.other.number)
            for link in links
            if link.case_id == case.id and link.kind in services.JOIN_KINDS
        },
        "photos": queries.photos_of(case),
        "suggestions": queries.suggestions(case),
        "dispatch_form": dispatch_form,
        "reassign_form": reassign_form,
        "recall_form": forms.get("recall_form") or RecallForm(formdata=None, prefix="recall"),
        "notice_form": notice_form,
        "notice_sent_back": "notice_form" in forms,
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "callback_form": forms.get("callback_form") or CallbackForm(formdata=None),
        "link_form": forms.get("link_form") or LinkForm(formdata=None),
        "send_form": forms.get("send_form")
        or SendLinkForm(
            formdata=None,
            phone=case.team.lead.phone if case.team and case.team.lead else "",
            seen=case.version,
        ),
        "tracking_url": job_links.tracking_url(case),
    }


def _detail(case, status=200, **kw):
    return render("cases/detail.html", status=status, **detail_context(case, **kw))


def _back(case):
    return redirect(url_for("cases.detail", case_id=case.id))


def _refused_on(case, form_name, form, refused):
    """A refusal shown on the case page as it is now (read again after the rollback)."""
    return show_refusal(
        refused,
        form,
        lambda status, form: _detail(_case_or_404(case.id), status, **{form_name: form}),
    )


@allow(OFFICE)
def detail(case_id: int):
    return _detail(_case_or_404(case_id))


@allow(OFFICE)
def dispatch(case_id: int):
    case = _case_or_404(case_id)
    form = DispatchForm()
    form.team_id.choices = []
    if not form.validate_on_submit():
        return _detail(case, 422, dispatch_form=form)
    try:
        services.dispatch(current_user, case, form.team_id.data, form.note.data)
    except Refused as refused:
        return _refused_on(case, "dispatch_form", form, refused)
    flash(_("Dispatched to %(team)s.", team=case.team.name), "success")
    return _back(case)


@allow(OFFICE)
def recall(case_id: int):
    case = _case_or_404(case_id)
    form = RecallForm(prefix="recall")
    if not form.validate_on_submit():
        return _detail(case, 422, recall_form=form)
    try:
        services.recall(current_user, case, form.note.data)
    except Refused as refused:
        return _refused_on(case, "recall_form", form, refused)
    flash(_("Recalled: the case is waiting to be dispatched again."), "success")
    return _back(case)


@allow(OFFICE)
def reassign(case_id: int):
    case = _case_or_404(case_id)
    form = ReassignForm(prefix="reassign")
    form.team_id.choices = []
    if not form.validate_on_submit():
        return _detail(case, 422, reassign_form=form)
    try:
        services.reassign(current_user, case, form.team_id.data, form.note.data)
    except Refused as refused:
        return _refused_on(case, "reassign_form", form, refused)
    flash(_("Reassigned to %(team)s.", team=case.team.name), "success")
    return _back(case)


@allow(OFFICE)
def act(case_id: int, action: str):
    case = _case_or_404(case_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail(case, 422, note_form=form)
    try:
        if action in ("verify_pass", "verify_fail"):
            services.verify(current_user, case, action == "verify_pass", form.note.data)
        else:
            services.act(current_user, case, action, form.note.data)
    except Refused as refused:
        return _refused_on(case, "note_form", form, refused)
    flash(_("Done: %(what)s.", what=workflow.action_label(action)), "success")
    return _back(case)


@allow(OFFICE)
def reveal_phone(case_id: int):
    case = _case_or_404(case_id)
    services.reveal_phone(current_user, case)
    return _detail(_case_or_404(case_id), revealed=True)


@allow(OFFICE)
def callback(case_id: int):
    case = _case_or_404(case_id)
    form = CallbackForm()
    if not form.validate_on_submit():
        return _detail(case, 422, callback_form=form)
    try:
        services.record_callback(current_user, case, form.data)
    except Refused as refused:
        return _refused_on(case, "callback_form", form, refused)
    flash(_("Call-back recorded."), "success")
    return _back(case)


@allow(OFFICE)
def link(case_id: int):
    case = _case_or_404(case_id)
    form = LinkForm()
    if not form.validate_on_submit():
        return _detail(case, 422, link_form=form)
    try:
        services.link_cases(current_user, case, form.other_id.data, form.kind.data)
    except Refused as refused:
        return _refused_on(case, "link_form", form, refused)
    flash(_("Cases linked."), "success")
    return _back(case)


@allow(OFFICE)
def add_notice(case_id: int):
    case = _case_or_404(case_id)
    form = NoticeForm()
    form.entrance_id.choices = []
    if not form.validate_on_submit():
        return _detail(case, 422, notice_form=form)
    try:
        notice = services.create_notice(current_user, case, form.data)
    except Refused as refused:
        return _refused_on(case, "notice_form", form, refused)
    return redirect(url_for("cases.notice", case_id=case.id, notice_id=notice.id))


@allow(OFFICE)
def notice(case_id: int, notice_id: int):
    found = queries.get_notice(current_user, case_id, notice_id)
    access.require(found is not None)
    return render("cases/notice.html", notice=found, case=found.case)


@allow(OFFICE)
def send_link(case_id: int):
    case = _case_or_404(case_id)
    form = SendLinkForm()
    if not form.validate_on_submit():
        return _detail(case, 422, send_form=form)
    try:
        services.send_job_link(current_user, case, form.phone.data, seen=form.seen.data)
    except Refused as refused:
        return _refused_on(case, "send_form", form, refused)
    flash(_("Job link sent by text message."), "success")
    return _back(case)
