"""Field work: my jobs (/jobs), a job's page and its steps, visits with photos and "done" with
an after photo, both for the signed-in team (/jobs/<id>) and through a job link (/j/<token>)."""

from flask import current_app, flash, redirect, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from coordinator import access
from coordinator.access import TEAM_SIDE, allow, public
from coordinator.cases import job_links, queries, services, workflow
from coordinator.cases.forms import DoneForm, NoteForm, VisitForm
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.i18n import utcnow
from coordinator.paging import page_number
from coordinator.rendering import render
from coordinator.rules import Refused, show_refusal

# Steps the job page offers in their own places (the "not ours" fold, the visit, "done").
NOT_BUTTONS = ("return", "handle", "revisit")


@allow(TEAM_SIDE)
def my_jobs():
    page = queries.my_jobs(current_user, page_number(), current_app.config["PER_PAGE"])
    return render("cases/jobs.html", page=page, now=utcnow())


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
    """The job page's context; a form sent back (refused or invalid) is shown as it came."""
    case = door.case
    can = workflow.actions_for(case, door.actor.role)
    return {
        "case": case,
        "door": door,
        "revealed": revealed,
        "button": ButtonForm(),
        "actions": [a for a in can if a not in NOT_BUTTONS],
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


def _team_job(case_id: int) -> JobDoor:
    case = queries.get_case(current_user, case_id)
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


def _job_phone(door):
    services.reveal_phone(door.actor, door.case)
    return _job_page(_reload(door), revealed=True)


@allow(TEAM_SIDE)
def job(case_id: int):
    return _job_page(_team_job(case_id))


@allow(TEAM_SIDE)
def job_act(case_id: int, action: str):
    return _job_act(_team_job(case_id), action)


@allow(TEAM_SIDE)
def job_visit(case_id: int):
    return _job_visit(_team_job(case_id))


@allow(TEAM_SIDE)
def job_done(case_id: int):
    return _job_done(_team_job(case_id))


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
