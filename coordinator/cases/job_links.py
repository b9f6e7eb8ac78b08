"""The links a case sends by text message: the team's signed job link (/j/<token>) and the
resident's tracking link (/track/<token>), written as full URLs."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from coordinator import access
from coordinator.cases import workflow
from coordinator.cases.models import Case, Visit
from coordinator.cases.queries import with_page
from coordinator.cases.workflow import Guest
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.rules import Refused
from coordinator.teams.models import Team, TeamMember
from coordinator.urls import external_url


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="case-job-link")


def _dispatch_of(case: Case) -> int | None:
    """The case's current dispatch: the id of its latest step sending it to a team (dispatch
    or reassign) in the trail."""
    return max((e.id for e in case.events if e.action in workflow.SENDS), default=None)


def job_link_token(case: Case, member: TeamMember | None = None) -> str:
    """A link bound to this one dispatch: once the case is sent again (even to the same team,
    after a return or a reopen), links of the earlier dispatch are closed. Issued to a member
    of the team ("m"), what is done through it is credited to that person."""
    data = {"c": case.id, "t": case.team_id, "d": _dispatch_of(case), "p": "job"}
    if member is not None:
        data["m"] = member.id
    return _serializer().dumps(data)


def member_by_phone(case: Case, phone: str) -> TeamMember | None:
    """The member of the case's team with this mobile number (a link sent to them names them)."""
    if case.team_id is None or not phone:
        return None
    return db.session.scalar(
        select(TeamMember).where(TeamMember.team_id == case.team_id, TeamMember.phone == phone)
    )


def _link_holder(case: Case, team: Team, member_id) -> Guest:
    """Who acts through the link. A link of the earlier format names no member: it goes on
    working, credited to the team as before, since such links are in field workers' hands
    for jobs under way and still bound to their dispatch (refusing them would strand a
    worker at the door until the office sends another); they end with the dispatch or at
    CASE_LINK_MAX_AGE like every link."""
    if member_id is None:
        return Guest(
            role=access.WORKER, name=_("%(team)s (job link)", team=team.name), team_id=team.id
        )
    member = db.session.get(TeamMember, member_id) if isinstance(member_id, int) else None
    if member is None or member.team_id != team.id:
        raise Refused(
            _l("This job link was for a member who has left the team; ask for a new one."),
            status=403,
        )
    if case.assignee_id is not None and case.assignee_id != member.id:
        raise Refused(
            _l("This job has been given to another member of your team; the link is closed."),
            status=403,
        )
    return Guest(
        role=access.WORKER,
        name=_("%(member)s (job link)", member=member.name),
        team_id=team.id,
        id=member.user_id,
    )


def read_job_link(token: str) -> tuple[Case, Guest]:
    """The case a job link opens and who acts through it, or a 403 saying why not."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["CASE_LINK_MAX_AGE"])
    except SignatureExpired:
        raise Refused(
            _l("This job link has expired. Ask the office for a new one."), status=403
        ) from None
    except BadSignature:
        raise Refused(_l("This job link is not valid."), status=403) from None
    if not isinstance(data, dict) or data.get("p") != "job":
        raise Refused(_l("This job link is not valid."), status=403)
    case = db.session.scalar(with_page(select(Case).where(Case.id == data.get("c"))))
    if case is None:
        raise Refused(_l("This job link is not valid."), status=403)
    if (
        case.status in workflow.FINAL
        or case.team_id != data.get("t")
        or data.get("d") is None
        or data.get("d") != _dispatch_of(case)
        or case.status
        in (workflow.VERIFIED, workflow.CALLBACK, workflow.RETURNED, workflow.RECEIVED)
    ):
        raise Refused(
            _l("This job is finished or no longer with your team; the link is closed."), status=403
        )
    team = db.session.get(Team, case.team_id)
    return case, _link_holder(case, team, data.get("m"))


def token_views_case(token: str, case_id: int) -> bool:
    """uploads' token viewer: a job link shows its own case's photos."""
    try:
        case, _guest = read_job_link(token)
    except Refused:
        return False
    return case.id == case_id


def token_views_visit(token: str, visit_id: int) -> bool:
    case_id = db.session.scalar(select(Visit.case_id).where(Visit.id == visit_id))
    return case_id is not None and token_views_case(token, case_id)


def tracking_url(case: Case) -> str:
    return external_url("cases.track", token=case.tracking_token)


def job_link_url(case: Case, member: TeamMember | None = None) -> str:
    return external_url("cases.job_link", token=job_link_token(case, member))


def my_jobs_url(case: Case) -> str:
    """The job's page for a member signed in with an account (/jobs/<id>)."""
    return external_url("cases.job", case_id=case.id)
