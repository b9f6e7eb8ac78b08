"""Use cases for cases: intake, dispatch, field work, job links, notices and closing the loop.

Every status change goes through workflow.transition(); this module adds the scoping, the
side effects (outbox messages, visits, photos, notices) and the one unit of work per use case
(coordinator.work): a refusal anywhere in it undoes all of it, a message included. What they
read to show a page is in queries.py.
"""

import re
import secrets
from contextlib import contextmanager

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from sqlalchemy import select

from coordinator import access
from coordinator.auth.models import User
from coordinator.cases import job_links, queries, records, signals, words, workflow
from coordinator.cases.models import CONTENT, Callback, Case, CaseEvent, CaseLink, Notice, Visit
from coordinator.cases.workflow import Guest
from coordinator.extensions import db
from coordinator.forms import MOBILE
from coordinator.i18n import day, utcnow
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.notifications.services import queue
from coordinator.places.models import Building, Community, Compound, Entrance
from coordinator.rules import Refused
from coordinator.teams.models import Team, TeamMember
from coordinator.ui import mask_phone
from coordinator.work import Conflict, unit_of_work

MAX_PHOTOS = 6
PLACE_FIELDS = ("community_id", "compound_id", "building_id", "entrance_id")


# ---------------------------------------------------------------- places


def _check_place(data: dict) -> dict:
    """The pickers must agree: the compound in the community, the building in the compound…"""
    ids = {k: data.get(k) for k in PLACE_FIELDS}
    if not ids["community_id"] or db.session.get(Community, ids["community_id"]) is None:
        raise Refused(_l("Choose a community."), field="community_id", status=422)
    if ids["compound_id"] is None:
        raise Refused(_l("Choose a compound."), field="compound_id", status=422)
    checks = (
        ("compound_id", Compound, "community_id", _l("Choose a compound of this community.")),
        ("building_id", Building, "compound_id", _l("Choose a building of this compound.")),
        ("entrance_id", Entrance, "building_id", _l("Choose an entrance of this building.")),
    )
    for key, model, parent_key, message in checks:
        if ids[key] is None:
            continue
        row = db.session.get(model, ids[key]) if ids[key] > 0 else None
        if row is None or getattr(row, parent_key) != ids[parent_key]:
            raise Refused(message, field=key, status=422)
    if ids["entrance_id"] and not ids["building_id"]:
        raise Refused(_l("Choose the building first."), field="building_id", status=422)
    return ids


# ---------------------------------------------------------------- intake


def _prepare_photos(files, field: str) -> list:
    """Decode and clean the photos before the unit of work: no write lock while it runs."""
    from coordinator.uploads.services import prepare_photos

    return prepare_photos(files, field=field, max_count=MAX_PHOTOS)


def _save_photos(files, owner_type: str, owner_id: int, kind: str, actor, field: str):
    """Store the prepared photos in the caller's transaction (all or nothing)."""
    from coordinator.uploads.services import save_photos

    return save_photos(
        files,
        owner_type,
        owner_id,
        kind=kind,
        uploaded_by=getattr(actor, "id", None),
        field=field,
        max_count=MAX_PHOTOS,
    )


@contextmanager
def _changing(case: Case, action: str):
    """The unit of work of a use case that moves a case. Losing the race to someone who moved
    it first (the conditional write found the case changed: Conflict), or coming after them
    (the status has no such step any more: NotNow), rolls it all back, text included, and
    answers 409 with who did it and when."""
    case_id = case.id
    try:
        with unit_of_work():
            yield
    except (Conflict, workflow.NotNow) as lost:
        raise workflow.lost_race(case_id, action) from lost


# What submission_key() makes; anything else in the hidden field is ignored (no key).
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


def submission_key() -> str:
    """A fresh one-time key for an intake form's hidden field (see open_case)."""
    return secrets.token_urlsafe(16)


def _submitted(key: str | None) -> Case | None:
    return db.session.scalar(select(Case).where(Case.submission_key == key)) if key else None


def open_case(
    actor,
    data: dict,
    photos=None,
    joins: tuple[str, int] | None = None,
    *,
    tell_reporter: bool = False,
) -> Case:
    """Log a case from any channel.

    Rules: the place pickers must agree with each other; a 12345 case carries its ticket
    number; staff log cases in their own community only. The trail starts with "logged".
    The form's one-time key (data["submission_key"]) makes sending it again harmless: a
    double tap, or the back button and submit, even two at the same moment, get the case the
    first one made, and nothing more is saved.

    joins=(kind, other_id): the report is about a case already logged (similar.py found it);
    see _join for what becomes of it, in the same unit of work.

    tell_reporter: a resident's report (the intake form, /report) texts its reporter the
    tracking link at once, in the same unit of work (text_tracking_link).
    """
    key = data.get("submission_key") or ""
    key = key if SUBMISSION_KEY.match(key) else None
    earlier = _submitted(key)
    if earlier is not None:
        return earlier
    photos = _prepare_photos(photos, "photos")  # decoded before the transaction begins
    try:
        return _open_case(actor, data, photos, key, joins, tell_reporter)
    except Refused as refused:
        # A twin of this form got in first: its key's unique index refused ours.
        twin = _submitted(key) if refused.status == 409 else None
        if twin is None:
            raise
        return twin


def _open_case(
    actor, data: dict, photos, key: str | None, joins=None, tell_reporter: bool = False
) -> Case:
    with unit_of_work():
        place = _check_place(data)
        if actor.role == access.STAFF and place["community_id"] != actor.community_id:
            raise Refused(
                _l("You can log cases in your own community only."),
                field="community_id",
                status=422,
            )
        channel = data.get("channel") or "online"
        if channel == "hotline_12345" and not (data.get("hotline_ticket") or "").strip():
            raise Refused(_l("Enter the 12345 ticket number."), field="hotline_ticket", status=422)
        case = Case(
            category=data["category"],
            tier=data.get("tier") or "general",
            channel=channel,
            hotline_ticket=(data.get("hotline_ticket") or "").strip()
            if channel == "hotline_12345"
            else "",
            floor=data.get("floor"),
            household=data.get("household") or "",
            reporter_name=data.get("reporter_name") or "",
            reporter_phone=data.get("reporter_phone") or "",
            description=data["description"],
            tracking_token=secrets.token_urlsafe(16),
            submission_key=key,
            created_by_id=getattr(actor, "id", None),
            **place,
        )
        db.session.add(case)
        workflow.opened(case, actor)
        db.session.flush()  # a twin's key refuses this one here, before any photo is stored
        _save_photos(photos, "case", case.id, "report", actor, "photos")
        signals.case_opened.send(case, at=case.created_at)
        if joins:
            _join(actor, case, *joins)
        if tell_reporter:
            text_tracking_link(actor, case)
    return case


def _reporter_locale(actor, phone: str) -> str:
    """The language a resident's text is worded in: their account's, else the language they
    reported in (their own /report), else the app's (a case the office logged for them)."""
    chosen = db.session.scalar(select(User.locale).where(User.phone == phone).limit(1))
    if chosen:
        return chosen
    if actor.role == access.RESIDENT and has_request_context():
        return str(get_locale())
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def text_tracking_link(actor, case: Case):
    """Rule: the resident whose report this is hears at once that it is logged, with the link
    to follow it (closing the tab must not lose it), whether they reported it themselves or
    the office logged their call. No text without a mobile number, nor to the person who
    logged it (a grid worker's own patrol finding)."""
    phone = case.reporter_phone
    if not phone or not MOBILE.match(phone) or phone == getattr(actor, "phone", None):
        return None
    with force_locale(_reporter_locale(actor, phone)):
        body = _(
            "%(community)s has received your report %(number)s (%(what)s). Follow it here: %(url)s",
            community=case.community.name,
            number=case.number,
            what=case.category_text,
            url=job_links.tracking_url(case),
        )
    return queue("case_tracking", phone, body, about=("case", case.id))


# What a new report joined to an open case becomes: the office's tap means "not a second job",
# so the case is kept (the reporter, their household, their words and photos, their tracking
# link) and voided at once with the reason; the resident's own tap (/report) is a claim the
# office confirms, so that case stays received, linked, for the office to void or keep.
JOIN_KINDS = ("duplicate_of", "same_root_cause")


def join_reason(kind: str, number: str) -> str:
    if kind == "duplicate_of":
        return _("Duplicate of %(number)s: handled there.", number=number)
    return _("Same root cause as %(number)s: handled there.", number=number)


def _join(actor, case: Case, kind: str, other_id: int) -> CaseLink:
    """Link a case just logged to the one it repeats (kind: duplicate_of / same_root_cause).

    Rules: the other case must be one the actor may see at this place (the office: any of its
    scope; a resident: only those /report showed them for this place and category); it must
    still be open, since joining a closed job would leave the new report unhandled (a problem
    that came back is a new case, linked afterwards as the same root cause). Logged by the
    office, the new case is voided "Duplicate of #N: handled there" and never dispatched: its
    reporter follows #N on their tracking link and is texted when #N is handled (verify).
    Both trails say so."""
    from coordinator.cases import similar

    if kind not in JOIN_KINDS:
        raise Refused(_l("Choose how the cases are linked."), field="join", status=422)
    if actor.role == access.RESIDENT:
        allowed = similar.public_ids(case.compound_id, case.building_id, case.category)
        other = db.session.get(Case, other_id) if other_id in allowed else None
    else:
        other = db.session.scalar(queries.visible(select(Case).where(Case.id == other_id), actor))
    if other is None or other.id == case.id:
        raise Refused(_l("No such case to join here."), field="join", status=422)
    if other.status in workflow.FINAL:
        raise Refused(
            _l("%(number)s is closed: save this as a new case.", number=other.number),
            field="join",
            status=422,
        )
    link = CaseLink(case_id=case.id, other_id=other.id, kind=kind, created_by_id=actor.id)
    db.session.add(link)
    label = link.kind_label
    workflow.record(case, actor, "link", f"{label} {other.number}")
    workflow.record(other, actor, "link", _("Linked from %(number)s", number=case.number))
    if actor.role in access.OFFICE:
        workflow.transition(case, "void", actor, join_reason(kind, other.number))
    return link


def followers(case: Case) -> list[Case]:
    """The reports joined to this case (their reporters follow its progress)."""
    return list(
        db.session.scalars(
            select(Case)
            .join(CaseLink, CaseLink.case_id == Case.id)
            .where(CaseLink.other_id == case.id, CaseLink.kind.in_(JOIN_KINDS))
            .order_by(Case.id)
        )
    )


def report_case(data: dict, photos=None, follows: int | None = None) -> Case:
    """A resident's own report from /report: no account, always 'online', general urgency.
    follows: a case /report showed as already reported here, which the resident follows (their
    report is linked to it as a duplicate for the office to confirm; see _join)."""
    data = dict(data, channel="online", tier="general", hotline_ticket="")
    resident = Guest(role=access.RESIDENT, name=data.get("reporter_name") or _("Resident"))
    joins = ("duplicate_of", follows) if follows else None
    return open_case(resident, data, photos, joins, tell_reporter=True)


# ---------------------------------------------------------------- dispatch


def _team_recipients(team: Team) -> list[tuple[str, TeamMember | None]]:
    """Who hears of a new job: the team's lead, or else the team's own phone."""
    lead = team.lead
    if lead:
        return [(lead.phone, lead)]
    return [(team.phone, None)] if team.phone else []


def _where_to_open(case: Case, member: TeamMember | None) -> str:
    """The words of a text that say where the job opens: a member with an account opens it in
    "my jobs" (signed in, as themselves); anyone else gets a job link (naming the member when
    there is one, so what they do is credited to them)."""
    if member is not None and member.user_id is not None:
        return _("Open it in “My jobs”: %(url)s", url=job_links.my_jobs_url(case))
    return _("Open it here: %(url)s", url=job_links.job_link_url(case, member))


def _team_to_take(case: Case, team_id: int | None) -> Team | None:
    """The team a case is sent to, refused at the field unless it may take it: active, with
    the skill, covering the case's place (the rule of the dispatch picker, queries.may_take)."""
    team = db.session.get(Team, team_id) if team_id else None
    if team_id and (team is None or not team.active):
        raise Refused(_l("This team is not taking work."), field="team_id", status=422)
    if team is not None and case.category not in team.skill_codes:
        raise Refused(
            _l("This team does not have the skill for this case."), field="team_id", status=422
        )
    if (
        team is not None
        and db.session.scalar(queries.may_take(select(Team.id).where(Team.id == team.id), case))
        is None
    ):
        raise Refused(
            _l("This team does not cover the place of this case."), field="team_id", status=422
        )
    return team


def _text_team(case: Case, team: Team, kind: str, words) -> None:
    """A text about this case to the team's lead (else its duty phone), in the outbox of the
    use case's unit of work: sent only if the step that wrote it wins. words(member) is the
    text for that recipient (None: the team's own phone)."""
    for phone, member in _team_recipients(team):
        queue(
            kind,
            phone,
            words(member),
            user_id=member.user_id if member else None,
            about=("case", case.id),
        )


def _tell_new_job(case: Case, team: Team) -> None:
    """The new job's text, saying where each recipient opens it."""
    _text_team(
        case,
        team,
        "case_dispatched",
        lambda member: _(
            "New job #%(id)d: %(what)s at %(place)s. %(where)s",
            id=case.id,
            what=case.category_text,
            place=case.place,
            where=_where_to_open(case, member),
        ),
    )


def _tell_withdrawn(case: Case, team: Team) -> None:
    text = _(
        "Job #%(id)d (%(what)s at %(place)s) is withdrawn by the office: please do "
        "not go. Its link is closed.",
        id=case.id,
        what=case.category_text,
        place=case.place,
    )
    _text_team(case, team, "case_withdrawn", lambda _member: text)


def dispatch(actor, case: Case, team_id: int | None, note: str = "") -> Case:
    """Send a case to a team (one tap from a suggestion). The team must be active, have the
    skill and cover the case's place; its lead gets a text in the same unit of work, so only
    the dispatch that moved the case texts anyone. The text says where to open the job."""
    with _changing(case, "dispatch"):
        team = _team_to_take(case, team_id)
        workflow.transition(case, "dispatch", actor, note, team_id=team_id)
        _tell_new_job(case, team)
    return case


def assign(actor, case: Case, member_id: int | None, seen: str | None = None) -> TeamMember:
    """A team lead gives an open job of their team to one of its members.

    Rules: only the lead of the case's team (403); only a job still with the team and not
    yet handed over (workflow.ASSIGNABLE, else 409); only a member of that team (422). The
    write is conditional on the case's version the lead's page showed (seen): of two leads
    pressing at once, or a press on an old page, one assigns and the other hears who did
    (409). The trail names the member; the member is texted where to open the job (not the
    lead who takes it on themselves)."""
    if actor.role != access.LEAD or actor.team_id is None or actor.team_id != case.team_id:
        raise Refused(_l("Only the team's lead can assign its jobs."), status=403)
    if case.status not in workflow.ASSIGNABLE:
        raise Refused(_l("Only an open job can be assigned."), status=409)
    with _changing(case, "assign"):
        if seen and seen != str(case.version):
            raise Conflict()
        member = db.session.get(TeamMember, member_id) if member_id else None
        if member is None or member.team_id != case.team_id:
            raise Refused(_l("Choose a member of your team."), field="member_id", status=422)
        case.assignee_id = member.id
        workflow.record(case, actor, "assign", member.name)
        workflow.claim(case)
        if member.user_id != getattr(actor, "id", None) and MOBILE.match(member.phone or ""):
            queue(
                "case_assigned",
                member.phone,
                _(
                    "%(lead)s gave you job #%(id)d: %(what)s at %(place)s. %(where)s",
                    lead=actor.name,
                    id=case.id,
                    what=case.category_text,
                    place=case.place,
                    where=_where_to_open(case, member),
                ),
                user_id=member.user_id,
                about=("case", case.id),
            )
    return member


def recall(actor, case: Case, note: str = "") -> Case:
    """Take back a case its team has not accepted yet: it is to be dispatched again, the
    reason is in the trail, the team is texted that the job is withdrawn and its job links
    close (they are bound to the team and its dispatch). A team accepting at the same moment
    wins or loses as a whole: the loser's 409 sends nothing."""
    with _changing(case, "recall"):
        team = case.team
        workflow.transition(case, "recall", actor, note)
        if team is not None:
            _tell_withdrawn(case, team)
    return case


def reassign(actor, case: Case, team_id: int | None, note: str = "") -> Case:
    """Send a case not yet accepted to another team in one step: the new team must be one
    that may take it (as for a dispatch); the old team hears the job is withdrawn, the new
    one that it is theirs; the old team's job links close."""
    with _changing(case, "reassign"):
        before = case.team
        team = _team_to_take(case, team_id)
        workflow.transition(case, "reassign", actor, note, team_id=team_id)
        if before is not None:
            _tell_withdrawn(case, before)
        _tell_new_job(case, team)
    return case


# Steps with their own use case (a team to check, texts to send): never a plain step.
OWN_USE_CASE = frozenset({"dispatch", "recall", "reassign"})


def _once_key(key: str | None) -> str | None:
    """A form's one-time key as the page or its offline script made it (SUBMISSION_KEY)."""
    return key if key and SUBMISSION_KEY.match(key) else None


def _step_taken(case_id: int, action: str, key: str | None) -> bool:
    """This submission's step is in the trail already (the same form sent before)."""
    if key is None:
        return False
    return (
        db.session.scalar(
            select(CaseEvent.id).where(
                CaseEvent.case_id == case_id,
                CaseEvent.action == action,
                CaseEvent.submission_key == key,
            )
        )
        is not None
    )


@contextmanager
def _sent_once(taken):
    """Around a use case whose form carries a one-time key: a twin of this submission sent at
    the same moment (a phone replaying what it kept offline while the first answer was lost)
    either lost the race on the case's version or on the key's unique index; when taken()
    then finds the twin's row, the loser answers as the twin did: nothing more is saved."""
    try:
        yield
    except Refused as refused:
        if refused.status != 409 or not taken():
            raise
        db.session.rollback()


def act(actor, case: Case, action: str, note: str = "", key: str | None = None) -> Case:
    """Any plain step of the workflow (accept, return, on my way, extend, …).

    key: the form's one-time key. Sent again (a double tap, or a phone sending what it kept
    while offline after the first answer was lost), the step is taken once and the second
    answers as the first did. A key of another step is not this one's: it is ignored."""
    if action in OWN_USE_CASE:
        raise Refused(_l("Your role cannot do this."), status=403)
    key = _once_key(key)
    if key is not None:
        taken = db.session.execute(
            select(CaseEvent.case_id, CaseEvent.action).where(CaseEvent.submission_key == key)
        ).first()
        if taken is not None:
            if tuple(taken) == (case.id, action):
                return case
            key = None
    case_id = case.id
    with _sent_once(lambda: _step_taken(case_id, action, key)):
        with _changing(case, action):
            event = workflow.transition(case, action, actor, note)
            event.submission_key = key
            db.session.flush()
    return case


# ---------------------------------------------------------------- field work


def reveal_phone(actor, case: Case) -> str:
    """Show the resident's number to someone working the case; who and when is logged."""
    with unit_of_work():
        workflow.record(case, actor, "reveal_phone")
    return case.reporter_phone


def _visit_of(case_id: int, key: str | None) -> Visit | None:
    if key is None:
        return None
    return db.session.scalar(
        select(Visit).where(Visit.case_id == case_id, Visit.submission_key == key)
    )


def add_visit(actor, case: Case, data: dict, photos=None) -> Visit:
    """A visit: what was found, photos; 'needs another visit' is noted in the trail too.

    data["submission_key"], the form's one-time key: the same visit sent again is the visit
    the first one made (nothing more is saved, its photos are not even read)."""
    key = _once_key(data.get("submission_key"))
    earlier = _visit_of(case.id, key)
    if earlier is not None:
        return earlier
    case_id, visit = case.id, None
    with _sent_once(lambda: _visit_of(case_id, key) is not None):
        visit = _add_visit(actor, case, data, photos, key)
    return visit if visit is not None else _visit_of(case_id, key)


def _add_visit(actor, case: Case, data: dict, photos, key: str | None) -> Visit:
    if case.status not in workflow.VISITING:
        raise Refused(_l("Visits are recorded while the job is in progress."), status=409)
    photos = _prepare_photos(photos, "photos")

    with _changing(case, "arrive" if case.status == workflow.ACCEPTED else "revisit"):
        if actor.role in access.TEAM_SIDE and case.team_id != actor.team_id:
            raise Refused(_l("This job is not your team's."), status=403)
        if case.status == workflow.ACCEPTED:
            workflow.transition(case, "arrive", actor)
        visit = Visit(
            case=case,
            by_name=actor.name,
            by_id=getattr(actor, "id", None),
            team_id=case.team_id,
            found=data["found"],
            another_needed=bool(data.get("another_needed")),
            submission_key=key,
        )
        db.session.add(visit)
        db.session.flush()
        _save_photos(photos, "case_visit", visit.id, "photo", actor, "photos")
        workflow.record(case, actor, "visit", data["found"])
        if visit.another_needed:
            workflow.transition(case, "revisit", actor, _("Another visit is needed."))
    return visit


def finish(actor, case: Case, data: dict, after_photo=None) -> Case:
    """Done: the cause and the follow-up are written down and an 'after' photo is kept.
    data["submission_key"]: as act's key, "done" sent again is done once."""
    key = _once_key(data.get("submission_key"))
    if _step_taken(case.id, "handle", key):
        return case
    case_id = case.id
    with _sent_once(lambda: _step_taken(case_id, "handle", key)):
        _finish(actor, case, data, after_photo, key)
    return case


def _finish(actor, case: Case, data: dict, after_photo, key: str | None) -> None:
    after = _prepare_photos([after_photo], "after_photo")
    with _changing(case, "handle"):
        event = workflow.transition(case, "handle", actor, data.get("note") or "")
        event.submission_key = key
        if not after:
            raise Refused(_l("Add a photo of the result."), field="after_photo", status=422)
        case.root_cause = data["root_cause"]
        case.follow_up = data.get("follow_up") or ""
        _save_photos(after, "case", case.id, "after", actor, "after_photo")


# ---------------------------------------------------------------- job links


def send_job_link(actor, case: Case, phone: str, seen: str | None = None) -> str:
    """Text the team a link that opens this one job without a password.

    The page's form carries the case's version it showed (seen), and the send is a write on
    that version: the same press sent twice (a double tap, or two at once) texts once, and
    the second hears who sent it. Sending again from a page loaded since works."""
    if case.team_id is None or case.status in workflow.FINAL:
        raise Refused(_l("Dispatch the case to a team first."), status=409)
    with _changing(case, "link_sent"):
        if seen and seen != str(case.version):
            raise Conflict()
        member = job_links.member_by_phone(case, phone)  # a member's link credits them
        url = job_links.job_link_url(case, member)
        queue(
            "case_link",
            phone,
            _("Job #%(id)d, %(place)s: %(url)s", id=case.id, place=case.place, url=url),
            about=("case", case.id),
        )
        workflow.record(
            case,
            actor,
            "link_sent",
            f"{member.name} {mask_phone(phone)}" if member else mask_phone(phone),
        )
        workflow.claim(case)
    return url


# ---------------------------------------------------------------- links and notices


def link_cases(actor, case: Case, other_id: int, kind: str) -> CaseLink:
    """Link two cases the actor can both see; a case is never linked to itself."""
    other = queries.get_case(actor, other_id)
    if other is None:
        raise Refused(_l("No case with this number in your area."), field="other_id", status=422)
    if other.id == case.id:
        raise Refused(_l("A case cannot be linked to itself."), field="other_id", status=422)
    exists_ = db.session.scalar(
        select(CaseLink.id).where(
            CaseLink.case_id == case.id, CaseLink.other_id == other.id, CaseLink.kind == kind
        )
    )
    if exists_:
        raise Refused(_l("These cases are linked this way already."), field="other_id", status=422)

    with unit_of_work(conflict=_l("These cases are linked this way already."), field="other_id"):
        link = CaseLink(case_id=case.id, other_id=other.id, kind=kind, created_by_id=actor.id)
        db.session.add(link)
        workflow.record(case, actor, "link", f"{link.kind_label} #{other.id}")
    return link


def notice_text(case: Case, entrance_name: str, floors: str, extra: str) -> tuple[str, str]:
    """Title and body of a notice to residents, from the case's own facts: what is being done
    in plain words for its category and what neighbours can do meanwhile (cases/words.py;
    staff's own words instead of the latter when they wrote some), the day it was reported
    (in Beijing) and whom to ask."""
    where = " ".join(
        p
        for p in (
            case.compound.name if case.compound else "",
            case.building.name if case.building else "",
            entrance_name,
        )
        if p
    )
    floors_words = _("floors %(floors)s", floors=floors) if floors else _("all floors")
    here = words.HERE["entrance" if entrance_name else "building"]
    happening = words.HAPPENING.get(case.category, words.HAPPENING["other"])
    meanwhile = words.MEANWHILE.get(case.category, words.MEANWHILE["other"])
    community = case.community
    contact = (
        _("%(community)s, phone %(phone)s", community=community.name, phone=community.office_phone)
        if community.office_phone
        else community.name
    )
    title = _("Notice to residents of %(where)s", where=where)
    body = _(
        "Dear neighbours of %(where)s (%(floors)s): %(happening)s %(meanwhile)s (Reported on "
        "%(day)s.) Questions: %(contact)s. Thank you for your understanding.",
        where=where,
        floors=floors_words,
        happening=_(happening.msgid, here=str(here)),
        meanwhile=extra or str(meanwhile),
        day=day(case.created_at),  # the day in Beijing, not in UTC
        contact=contact,
    )
    return title, body


def create_notice(actor, case: Case, data: dict) -> Notice:
    """Mark the case as affecting the building (a main stack) and record a notice to the
    residents it concerns."""
    if case.building_id is None:
        raise Refused(_l("Set the case's building first: a notice needs it."), status=409)
    entrance = None
    if data.get("entrance_id"):
        entrance = db.session.get(Entrance, data["entrance_id"])
        if entrance is None or entrance.building_id != case.building_id:
            raise Refused(
                _l("Choose an entrance of this building."), field="entrance_id", status=422
            )

    with unit_of_work():
        title, body = notice_text(
            case,
            entrance.name if entrance else "",
            data.get("floors") or "",
            data.get("extra") or "",
        )
        notice = Notice(
            case=case,
            building_id=case.building_id,
            entrance_id=entrance.id if entrance else None,
            floors=data.get("floors") or "",
            title=title,
            text=body,
            created_by_id=actor.id,
        )
        case.affects_building = True
        db.session.add(notice)
        workflow.record(case, actor, "notice", title)
    return notice


# ---------------------------------------------------------------- closing the loop


def verify(actor, case: Case, passed: bool, note: str = "") -> Case:
    """On-site check by staff. Passed → verified, and the resident is asked for a call-back
    (a text with the tracking link); failed → back to in progress with the reason. Only the
    press that moved the case texts the resident."""
    with _changing(case, "verify_pass" if passed else "verify_fail"):
        if not passed:
            workflow.transition(case, "verify_fail", actor, note)
            return case
        now = utcnow()  # one moment for the two steps of one use case (see lost_race)
        workflow.transition(case, "verify_pass", actor, note, now=now)
        workflow.transition(case, "await_callback", actor, now=now)
        if case.reporter_phone and MOBILE.match(case.reporter_phone):
            queue(
                "case_callback",
                case.reporter_phone,
                _(
                    "Your report #%(id)d has been handled. Please tell us how it went: %(url)s",
                    id=case.id,
                    url=job_links.tracking_url(case),
                ),
                about=("case", case.id),
            )
        _tell_followers(case)
    return case


def _tell_followers(case: Case) -> None:
    """The residents whose reports were joined to this case hear that it is handled, with
    their own tracking link (which shows this case's progress). Their call-back is this case's:
    the rates count one job once, so theirs is not asked for separately."""
    for joined in followers(case):
        # A linked case worked as its own job (still open past received) has its own call-back.
        if joined.status not in (workflow.VOID, workflow.RECEIVED):
            continue
        if joined.reporter_phone and MOBILE.match(joined.reporter_phone):
            queue(
                "case_callback",
                joined.reporter_phone,
                _(
                    "The problem you reported (#%(id)d) has been handled with an earlier "
                    "report of it. Details: %(url)s",
                    id=joined.id,
                    url=job_links.tracking_url(joined),
                ),
                about=("case", joined.id),
            )


def record_callback(actor, case: Case, data: dict, by_resident: bool = False) -> Callback:
    """The resident's answers. Not satisfied → reopened; otherwise the case closes. One set of
    answers a call-back: a second press (or the office and the resident at once) loses."""
    satisfied = data["satisfaction"] in CONTENT
    action = "close" if satisfied else "reopen"
    with _changing(case, action):
        note = data.get("note") or ""
        if action == "reopen" and not note:
            note = _("The resident is not satisfied.")
        workflow.transition(case, action, actor, note)
        callback = Callback(
            case=case,
            team_id=case.team_id,
            contacted=data["contacted"] == "yes",
            solved=data["solved"] == "yes",
            satisfaction=data["satisfaction"],
            by_resident=by_resident,
            note=data.get("note") or "",
            recorded_by_id=getattr(actor, "id", None),
        )
        db.session.add(callback)
        workflow.record(case, actor, "callback", callback.satisfaction_label)
        db.session.flush()
        records.callback_added(db.session.connection(), callback.team_id)
        signals.callback_added.send(callback, case=case, at=callback.created_at)
    return callback


def resident(case: Case) -> Guest:
    return Guest(role=access.RESIDENT, name=case.reporter_name or _("Resident"))
