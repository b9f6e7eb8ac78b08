"""Field work: my jobs (/jobs), a job's page and its steps, visits with photos and "done" with
an after photo, both for the signed-in team (/jobs/<id>) and through a job link (/j/<token>)."""

from typing import NamedTuple

from flask import current_app, flash, redirect, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from coordinator import access
from coordinator.access import TEAM_SIDE, allow, public
from coordinator.cases import job_links, queries, services, workflow
from coordinator.cases.forms import AssignForm, DoneForm, NoteForm, VisitForm
from coordinator.cases.offline import steps_ahead
from coordinator.forms import ButtonForm
from coordinator.i18n import due_in, time_limit, utcnow, when
from coordinator.i18n import gettext as _
from coordinator.paging import page_number
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal

# Steps the job page offers in their own places: the "not ours / more time" fold (with its
# note), the visit ("needs another visit") and "done". The rest is the one next step.
FOLDED = ("return", "extend")
NOT_BUTTONS = (*FOLDED, "handle", "revisit")


class Deadline(NamedTuple):
    words: str  # "接单后 24 小时内完成" / "2026年12月2日 14:30 前完成"
    countdown: str  # "23 小时后到期", once the clock runs
    late: bool


def deadline_of(case, now=None) -> Deadline | None:
    """The job's deadline as the team reads it, one figure from before accepting to done:
    offered, the time limit that accepting starts (or the fixed deadline when it comes
    first: workflow.deadline_if_accepted); on the clock, that deadline's date and time."""
    now = now or utcnow()
    if case.status == workflow.DISPATCHED:
        due = workflow.deadline_if_accepted(case, now)
        span = workflow.sla_span(case)
        if due - now < span:
            return Deadline(_("Done by %(when)s", when=when(due)), "", False)
        return Deadline(_("Done within %(span)s of accepting", span=time_limit(span)), "", False)
    if case.on_the_clock and case.due_at is not None:
        return Deadline(
            _("Done by %(when)s", when=when(case.due_at)),
            due_in(case.due_at, now),
            case.due_at < now,
        )
    return None


@allow(TEAM_SIDE)
def my_jobs():
    page = queries.my_jobs(current_user, page_number(), current_app.config["PER_PAGE"])
    now = utcnow()
    return render(
        "cases/jobs.html",
        page=page,
        now=now,
        deadline_of=lambda case: deadline_of(case, now),
        assignable=workflow.ASSIGNABLE,
    )


class JobDoor:
    """Where a job page's buttons post: the signed-in job (/jobs/<id>) or a link (/j/<token>)."""

    def __init__(self, case, actor, token=None):
        self.case, self.actor, self.token = case, actor, token

    def url(self, what: str, **kw) -> str:
        if self.token:
            return url_for(f"cases.link_{what}", token=self.token, **kw)
        return url_for(f"cases.job_{what}", case_id=self.case.id, **kw)

    @property
    def home(self) -> str:
        return (
            url_for("cases.job_link", token=self.token)
            if self.token
            else url_for("cases.job", case_id=self.case.id)
        )


def job_context(door, revealed=False, **forms):
    """The job page's context; a form sent back (refused or invalid) is shown as it came.
    One big button: the first step the table offers now (accept, on my way, arrived, …); the
    steps that follow it on the way to "done" are on the page too, hidden, for a phone with no
    signal to show as it keeps each (cases/offline.py steps_ahead)."""
    case = door.case
    can = workflow.actions_for(case, door.actor.role)
    step = next((a for a in can if a not in NOT_BUTTONS), None)
    ahead = steps_ahead(case, door.actor.role, step)
    now = utcnow()
    assign_form = None  # only the lead, only while the job can be given to a member
    if door.actor.role == access.LEAD and case.status in workflow.ASSIGNABLE:
        assign_form = forms.get("assign_form") or AssignForm(
            formdata=None, member_id=case.assignee_id
        )
        # The version of the case as this page shows it, also on a form sent back after a
        # 409: pressing again from this page is a new decision on what it shows.
        assign_form.seen.data = str(case.version)
        assign_form.member_id.choices = [("", _("Choose a member"))] + [
            (str(i), name) for i, name in queries.team_members(case.team_id)
        ]
    return {
        "case": case,
        "door": door,
        "revealed": revealed,
        "button": ButtonForm(),
        "step": step,
        "ahead": ahead,
        # Each later step is a form of its own, with its own one-time key.
        "ahead_forms": [(later, NoteForm(formdata=None)) for later in ahead.later],
        "folded": [a for a in can if a in FOLDED],
        "now": now,
        "deadline": deadline_of(case, now),
        "assignable": workflow.ASSIGNABLE,
        "assign_form": assign_form,
        "can": set(can),
        "can_visit": case.status in workflow.VISITING,
        "photos": queries.photos_of(case),
        "photo_token": door.token,
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "visit_form": forms.get("visit_form") or VisitForm(formdata=None),
        "done_form": forms.get("done_form") or DoneForm(formdata=None),
    }


def _job_page(door, status=200, **kw):
    return render("cases/job.html", status=status, **job_context(door, **kw))


def _team_job(case_id: int, action: str | None = None) -> JobDoor:
    """The signed-in team's job. A step (action) pressed on a job the office has just taken
    back or given to another team lost a race: a 409 saying who moved it, as for any step."""
    case = queries.get_case(current_user, case_id)
    if case is None and action and queries.taken_from_team(case_id, current_user.team_id):
        raise workflow.lost_race(case_id, action)
    access.require(case is not None)
    return JobDoor(case, current_user)


def _link_job(token: str) -> JobDoor:
    """The job a link opens; a closed or forged link is refused (the error page, 403)."""
    case, guest = job_links.read_job_link(token)
    return JobDoor(case, guest, token)


def _reload(door) -> JobDoor:
    if door.token:
        return _link_job(door.token)
    return _team_job(door.case.id)


def _job_refused(door, form_name, form, refused):
    """A refusal on the job page as it is now (see rules.show_refusal). When the move that beat
    this one closed the job to its link (returned, finished), the reason is the error page."""
    try:
        door = _reload(door)
    except (HTTPException, Refused):
        if refused.status == 409 and not refused.field:
            raise refused from None
        raise
    return show_refusal(
        refused, form, lambda status, form: _job_page(door, status, **{form_name: form})
    )


def _job_act(door, action):
    form = NoteForm()
    if not form.validate_on_submit():
        return _job_page(door, 422, note_form=form)
    try:
        services.act(door.actor, door.case, action, form.note.data, form.submission_key.data)
    except Refused as refused:
        return _job_refused(door, "note_form", form, refused)
    flash(_("Done: %(what)s.", what=workflow.action_label(action)), "success")
    if door.token and door.case.status in workflow.FINAL | {workflow.RETURNED}:
        return (
            redirect(url_for("cases.my_jobs"))
            if current_user.is_authenticated
            else render("cases/report_sent.html", finished=True)
        )
    return redirect(door.home)


def _job_visit(door):
    form = VisitForm()
    if not form.validate_on_submit():
        return _job_page(door, 422, visit_form=form)
    try:
        services.add_visit(door.actor, door.case, form.data, form.photos.data)
    except Refused as refused:
        return _job_refused(door, "visit_form", form, refused)
    flash(_("Visit recorded."), "success")
    return redirect(door.home)


def _job_done(door):
    form = DoneForm()
    if not form.validate_on_submit():
        return _job_page(door, 422, done_form=form)
    try:
        services.finish(door.actor, door.case, form.data, form.after_photo.data)
    except Refused as refused:
        return _job_refused(door, "done_form", form, refused)
    flash(_("Job done. Thank you!"), "success")
    if door.token:
        return render("cases/report_sent.html", finished=True)
    return redirect(url_for("cases.my_jobs"))


def _job_assign(door):
    form = AssignForm()
    form.member_id.choices = []  # validate_choice is off: the service checks the member
    if not form.validate_on_submit():
        return _job_page(door, 422, assign_form=form)
    try:
        member = services.assign(door.actor, door.case, form.member_id.data, form.seen.data)
    except Refused as refused:
        return _job_refused(door, "assign_form", form, refused)
    flash(_("Job given to %(member)s.", member=member.name), "success")
    return redirect(door.home)


def _job_phone(door):
    services.reveal_phone(door.actor, door.case)
    return _job_page(_reload(door), revealed=True)


@allow(TEAM_SIDE)
def job(case_id: int):
    return _job_page(_team_job(case_id))


@allow(TEAM_SIDE)
def job_act(case_id: int, action: str):
    return _job_act(_team_job(case_id, action), action)


@allow(TEAM_SIDE)
def job_visit(case_id: int):
    return _job_visit(_team_job(case_id, "visit"))


@allow(TEAM_SIDE)
def job_done(case_id: int):
    return _job_done(_team_job(case_id, "handle"))


@allow(access.LEAD)
def job_assign(case_id: int):
    return _job_assign(_team_job(case_id, "assign"))


@allow(TEAM_SIDE)
def job_phone(case_id: int):
    return _job_phone(_team_job(case_id))


@public
def job_link(token: str):
    return _job_page(_link_job(token))


@public
def link_act(token: str, action: str):
    return _job_act(_link_job(token), action)


@public
def link_visit(token: str):
    return _job_visit(_link_job(token))


@public
def link_done(token: str):
    return _job_done(_link_job(token))


@public
def link_phone(token: str):
    return _job_phone(_link_job(token))
