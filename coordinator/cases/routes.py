from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from coordinator import access
from coordinator.access import OFFICE, TEAM_SIDE, allow, public
from coordinator.cases import board as board_view
from coordinator.cases import bp, services, workflow
from coordinator.cases.forms import (
    CallbackForm,
    CaseForm,
    DispatchForm,
    DoneForm,
    LinkForm,
    NoteForm,
    NoticeForm,
    ReportForm,
    SendLinkForm,
    VisitForm,
)
from coordinator.cases.models import CHANNELS
from coordinator.extensions import limiter
from coordinator.forms import ButtonForm
from coordinator.i18n import gettext as _
from coordinator.i18n import translated
from coordinator.paging import page_number
from coordinator.rendering import render
from coordinator.rules import Refused, refuse_page, show_refusal

# ---------------------------------------------------------------- intake


@bp.teardown_request
def _close_uploads(_exc):
    """Large uploads are spooled to temporary files; close them when the request ends."""
    if request.method == "POST" and request.files:
        for _name, f in request.files.items(multi=True):
            f.close()


def _place_choices(form):
    """Fill the pickers from what is chosen, so the page works without JavaScript too."""
    blank = [("", _("— choose —"))]
    form.community_id.choices = blank + services.community_options()
    form.compound_id.choices = blank + services.place_options("compound", form.community_id.data)
    form.building_id.choices = blank + services.place_options("building", form.compound_id.data)
    form.entrance_id.choices = blank + services.place_options("entrance", form.building_id.data)
    return form


def _intake_page(template, form, status=200, **ctx):
    if not services.SUBMISSION_KEY.match(form.submission_key.data or ""):
        # A first view, or a key that is not one of ours: a fresh one-time key for this form.
        form.submission_key.data = services.submission_key()
    return render(template, status=status, form=_place_choices(form), **ctx)


def _refresh_only() -> bool:
    """The no-JavaScript 'update the choices' button re-renders the form without saving."""
    return "refresh" in request.form


@bp.route("/cases/new", methods=["GET", "POST"])
@allow(OFFICE)
def new():
    form = CaseForm()
    if request.method == "GET":
        form.channel.data = (
            request.args.get("channel") if request.args.get("channel") in CHANNELS else "phone"
        )
        if current_user.community_id:
            form.community_id.data = current_user.community_id
    if form.is_submitted() and not _refresh_only() and form.validate():
        try:
            case = services.open_case(current_user, form.data, form.photos.data)
        except Refused as refused:
            return show_refusal(
                refused, form, lambda status, form: _intake_page("cases/new.html", form, status)
            )
        flash(_("Case %(number)s logged.", number=case.number), "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    status = 422 if form.is_submitted() and not _refresh_only() else 200
    return _intake_page("cases/new.html", form, status)


def _report_limit() -> str:
    return current_app.config["CASE_REPORT_RATE_LIMIT"]


@bp.route("/report", methods=["GET", "POST"])
@public
@limiter.limit(_report_limit, methods=["POST"])
def report():
    form = ReportForm()
    if form.is_submitted() and form.website.data:
        return redirect(url_for("cases.report_sent"))  # a bot: thank it and keep nothing
    if form.is_submitted() and not _refresh_only() and form.validate():
        try:
            case = services.report_case(form.data, form.photos.data)
        except Refused as refused:
            return show_refusal(
                refused, form, lambda status, form: _intake_page("cases/report.html", form, status)
            )
        flash(_("Thank you. Keep this page's address to follow your report."), "success")
        return redirect(url_for("cases.track", token=case.tracking_token))
    status = 422 if form.is_submitted() and not _refresh_only() else 200
    return _intake_page("cases/report.html", form, status)


@bp.get("/report/sent")
@public
def report_sent():
    return render("cases/report_sent.html")


@bp.get("/cases/places/<any(compound, building, entrance):level>/options")
@public
def place_options(level: str):
    """<option>s for the next picker down (compound, building or entrance)."""
    parent = request.args.get("parent", type=int)
    if parent is None:  # hx-include sends the parent picker under its own name
        parent = next(
            (
                request.args.get(k, type=int)
                for k in ("community_id", "compound_id", "building_id")
                if request.args.get(k)
            ),
            None,
        )
    return render("cases/options.html", options=services.place_options(level, parent))


# ---------------------------------------------------------------- the board


def board_context():
    """Everything the board needs; the page and its htmx fragment share it."""
    values, shown = board_view.parse_filters(request.args)
    data = services.board(current_user, values, page_number(), current_app.config["PER_PAGE"])
    options = board_view.filter_options(values, request.args, *board_view.choices(current_user))
    return {
        "shown": shown,
        "options": options,
        "labels": board_view.labels(),
        "filter_labels": translated(board_view.FILTER_LABELS),
        "more_filters": any(key not in ("q", "status", "page") for key in request.args),
        **data,
    }


@bp.get("/cases")
@allow(OFFICE)
def board():
    return render("cases/board.html", **board_context())


# ---------------------------------------------------------------- the case page


def _case_or_404(case_id: int):
    case = services.get_case(current_user, case_id)
    access.require(case is not None)
    return case


def detail_context(case, revealed=False, **forms):
    dispatch_form = forms.get("dispatch_form") or DispatchForm(formdata=None)
    dispatch_form.team_id.choices = [("", _("— choose a team —"))] + services.team_options(case)
    notice_form = forms.get("notice_form") or NoticeForm(formdata=None)
    notice_form.entrance_id.choices = [("", _("Whole building"))] + services.place_options(
        "entrance", case.building_id
    )
    return {
        "case": case,
        "revealed": revealed,
        "button": ButtonForm(),
        "actions": [
            a
            for a in workflow.actions_for(case, current_user.role)
            if a not in ("dispatch", "close", "reopen", "await_callback")
        ],
        "can": set(workflow.actions_for(case, current_user.role)),
        "links": services.links_of(case),
        "photos": services.photos_of(case),
        "suggestions": services.suggestions(case),
        "dispatch_form": dispatch_form,
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
        "tracking_url": services.tracking_url(case),
    }


def _detail(case, status=200, **kw):
    return render("cases/detail.html", status=status, **detail_context(case, **kw))


def _back(case):
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.get("/cases/<int:case_id>")
@allow(OFFICE)
def detail(case_id: int):
    return _detail(_case_or_404(case_id))


def _refused_on(case, form_name, form, refused):
    """Show a refusal on the case page as it is now (see rules.show_refusal)."""
    return show_refusal(
        refused,
        form,
        lambda status, form: _detail(
            services.get_case(current_user, case.id), status, **{form_name: form}
        ),
    )


@bp.post("/cases/<int:case_id>/dispatch")
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


@bp.post("/cases/<int:case_id>/act/<action>")
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
    flash(_("Done: %(what)s.", what=workflow.ACTIONS.get(action, action)), "success")
    return _back(case)


@bp.post("/cases/<int:case_id>/phone")
@allow(OFFICE)
def reveal_phone(case_id: int):
    case = _case_or_404(case_id)
    if not ButtonForm().validate_on_submit():
        refuse_page(Refused(_("The form expired; please try again."), status=400))
    services.reveal_phone(current_user, case)
    return _detail(services.get_case(current_user, case_id), revealed=True)


@bp.post("/cases/<int:case_id>/callback")
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


@bp.post("/cases/<int:case_id>/links")
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


@bp.post("/cases/<int:case_id>/notices")
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


@bp.get("/cases/<int:case_id>/notices/<int:notice_id>")
@allow(OFFICE)
def notice(case_id: int, notice_id: int):
    found = services.get_notice(current_user, case_id, notice_id)
    access.require(found is not None)
    return render("cases/notice.html", notice=found, case=found.case)


@bp.post("/cases/<int:case_id>/send-link")
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


# ---------------------------------------------------------------- field work


@bp.get("/jobs")
@allow(TEAM_SIDE)
def my_jobs():
    page = services.my_jobs(current_user, page_number(), current_app.config["PER_PAGE"])
    return render("cases/jobs.html", page=page, now=services.utcnow())


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
    case = door.case
    return {
        "case": case,
        "door": door,
        "revealed": revealed,
        "button": ButtonForm(),
        "actions": [
            a
            for a in workflow.actions_for(case, door.actor.role)
            if a not in ("return", "handle", "revisit")
        ],
        "can": set(workflow.actions_for(case, door.actor.role)),
        "photos": services.photos_of(case),
        "photo_token": door.token,
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "visit_form": forms.get("visit_form") or VisitForm(formdata=None),
        "done_form": forms.get("done_form") or DoneForm(formdata=None),
    }


def _job_page(door, status=200, **kw):
    return render("cases/job.html", status=status, **job_context(door, **kw))


def _team_job(case_id: int) -> JobDoor:
    case = services.get_case(current_user, case_id)
    access.require(case is not None)
    return JobDoor(case, current_user)


def _link_job(token: str) -> JobDoor:
    try:
        case, guest = services.read_job_link(token)
    except Refused as refused:
        refuse_page(refused)
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
    except HTTPException:
        if refused.status == 409 and not refused.field:
            refuse_page(refused)
        raise
    return show_refusal(
        refused, form, lambda status, form: _job_page(door, status, **{form_name: form})
    )


def _job_act(door, action):
    form = NoteForm()
    if not form.validate_on_submit():
        return _job_page(door, 422, note_form=form)
    try:
        services.act(door.actor, door.case, action, form.note.data)
    except Refused as refused:
        return _job_refused(door, "note_form", form, refused)
    flash(_("Done: %(what)s.", what=workflow.ACTIONS.get(action, action)), "success")
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
    return (
        redirect(url_for("cases.my_jobs"))
        if not door.token
        else render("cases/report_sent.html", finished=True)
    )


def _job_phone(door):
    if not ButtonForm().validate_on_submit():
        refuse_page(Refused(_("The form expired; please try again."), status=400))
    services.reveal_phone(door.actor, door.case)
    return _job_page(_reload(door), revealed=True)


@bp.get("/jobs/<int:case_id>")
@allow(TEAM_SIDE)
def job(case_id: int):
    return _job_page(_team_job(case_id))


@bp.post("/jobs/<int:case_id>/act/<action>")
@allow(TEAM_SIDE)
def job_act(case_id: int, action: str):
    return _job_act(_team_job(case_id), action)


@bp.post("/jobs/<int:case_id>/visit")
@allow(TEAM_SIDE)
def job_visit(case_id: int):
    return _job_visit(_team_job(case_id))


@bp.post("/jobs/<int:case_id>/done")
@allow(TEAM_SIDE)
def job_done(case_id: int):
    return _job_done(_team_job(case_id))


@bp.post("/jobs/<int:case_id>/phone")
@allow(TEAM_SIDE)
def job_phone(case_id: int):
    return _job_phone(_team_job(case_id))


@bp.get("/j/<token>")
@public
def job_link(token: str):
    return _job_page(_link_job(token))


@bp.post("/j/<token>/act/<action>")
@public
def link_act(token: str, action: str):
    return _job_act(_link_job(token), action)


@bp.post("/j/<token>/visit")
@public
def link_visit(token: str):
    return _job_visit(_link_job(token))


@bp.post("/j/<token>/done")
@public
def link_done(token: str):
    return _job_done(_link_job(token))


@bp.post("/j/<token>/phone")
@public
def link_phone(token: str):
    return _job_phone(_link_job(token))


# ---------------------------------------------------------------- the resident's link


def _tracked(token):
    case = services.get_by_token(token)
    access.require(case is not None)
    return case


def track_context(case, form=None):
    return {
        "case": case,
        "form": form or CallbackForm(formdata=None),
        "asks": case.status in (workflow.VERIFIED, workflow.CALLBACK),
    }


@bp.route("/track/<token>", methods=["GET", "POST"])
@public
def track(token: str):
    case = _tracked(token)
    if request.method == "GET":
        return render("cases/track.html", **track_context(case))
    form = CallbackForm()
    if not form.validate_on_submit():
        return render("cases/track.html", status=422, **track_context(case, form))
    try:
        services.record_callback(services.resident(case), case, form.data, by_resident=True)
    except Refused as refused:
        return show_refusal(
            refused,
            form,
            lambda status, form: render(
                "cases/track.html", status=status, **track_context(_tracked(token), form)
            ),
        )
    flash(_("Thank you for your answers."), "success")
    return redirect(url_for("cases.track", token=token))
