"""The life of a case (DOMAIN.md): the only code that changes a case's status.

    received ─► void
       │
       ▼
    dispatched ─► returned (wrong team) ─► dispatched (to another)
       │    not accepted yet: recalled by the office ─► received,
       │                      or reassigned ─► dispatched (to another team)
       ▼
    accepted (SLA clock) ─► in progress ⇄ extended / parked ─► handled
                                                                  │
                      reopened ◄── not satisfied ◄── verified ─► call-back ─► closed

`transition()` checks the table, the actor's role and scope, applies the action's effects and
writes one CaseEvent; a refusal raises Refused before anything is touched. The write is
conditional: the case's UPDATE says "WHERE version = the version I read" (Case's
version_id_col), and it is flushed at once, so of two people pressing at the same moment one
moves the case and the other gets StaleDataError, before any side effect of theirs (a text, a
photo) is added. `lost_race()` then says who got there first. `record()` writes an event that
does not change the status (a phone number revealed, a link sent). Neither commits: the
calling service's unit of work does, once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from coordinator.access import ADMIN, LEAD, RESIDENT, STAFF, WORKER
from coordinator.cases import signals
from coordinator.cases.models import FINAL_STATUSES, ON_THE_CLOCK_STATUSES, Case, CaseEvent
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow, when
from coordinator.rules import Refused

RECEIVED, VOID, DISPATCHED, RETURNED, ACCEPTED = (
    "received",
    "void",
    "dispatched",
    "returned",
    "accepted",
)
IN_PROGRESS, EXTENDED, PARKED, HANDLED, VERIFIED = (
    "in_progress",
    "extended",
    "parked",
    "handled",
    "verified",
)
CALLBACK, CLOSED, REOPENED = "callback", "closed", "reopened"

STATUSES = {
    RECEIVED: (_l("Received"), "orange"),
    VOID: (_l("Void"), "grey"),
    DISPATCHED: (_l("Dispatched"), "blue"),
    RETURNED: (_l("Returned"), "orange"),
    ACCEPTED: (_l("Accepted"), "blue"),
    IN_PROGRESS: (_l("In progress"), "blue"),
    EXTENDED: (_l("Extended"), "orange"),
    PARKED: (_l("Parked"), "grey"),
    HANDLED: (_l("Handled"), "green"),
    VERIFIED: (_l("Verified"), "green"),
    CALLBACK: (_l("Awaiting call-back"), "green"),
    CLOSED: (_l("Closed"), "grey"),
    REOPENED: (_l("Reopened"), "red"),
}
FINAL = frozenset(FINAL_STATUSES)
# With a team and its clock running: can be overdue (models.Case.on_the_clock, in SQL too).
ON_THE_CLOCK = frozenset(ON_THE_CLOCK_STATUSES)
TEAM_LOAD = ON_THE_CLOCK | {DISPATCHED, PARKED}
# A team at work on the job: visits are recorded, its job link can be sent.
VISITING = frozenset({ACCEPTED, IN_PROGRESS, EXTENDED})
LINKABLE = TEAM_LOAD - {PARKED}
# A lead gives these to a member (services.assign): with the team and not yet handed over.
ASSIGNABLE = LINKABLE
# Waiting for a team: matching's suggestions are shown.
TO_DISPATCH = frozenset({RECEIVED, RETURNED, REOPENED})
# The resident is asked for the call-back answers on the tracking page.
ASKING = frozenset({VERIFIED, CALLBACK})
OPEN = frozenset(STATUSES) - FINAL

OFFICE = frozenset({ADMIN, STAFF})
TEAM = frozenset({LEAD, WORKER})
# Steps no page offers: the system takes them for someone (an event finished settles the
# cases it handled, campaigns/services.py), as Guest(SYSTEM, their name).
SYSTEM = "system"

ACTIONS = {
    "void": _l("Void"),
    "dispatch": _l("Dispatch"),
    "recall": _l("Recall"),
    "reassign": _l("Reassign"),
    "accept": _l("Accept"),
    "return": _l("Return"),
    "start": _l("On my way"),
    "arrive": _l("Arrived"),
    "revisit": _l("Needs another visit"),
    "extend": _l("Extend"),
    "park": _l("Park"),
    "resume": _l("Resume"),
    "handle": _l("Done"),
    "verify_pass": _l("Verified on site"),
    "verify_fail": _l("Verification failed"),
    "await_callback": _l("Ask for call-back"),
    "close": _l("Close"),
    "reopen": _l("Reopen"),
    "settle_by_event": _l("Settled by the event"),
}
# The same actions done, for "already dispatched by 王伟 at 14:02" (lost_race()).
DONE = {
    "void": _l("voided"),
    "dispatch": _l("dispatched"),
    "recall": _l("recalled"),
    "reassign": _l("reassigned"),
    "accept": _l("accepted"),
    "return": _l("returned"),
    "start": _l("started"),
    "arrive": _l("marked as arrived"),
    "revisit": _l("marked for another visit"),
    "extend": _l("extended"),
    "park": _l("parked"),
    "resume": _l("resumed"),
    "handle": _l("marked as done"),
    "verify_pass": _l("verified on site"),
    "verify_fail": _l("failed on verification"),
    "await_callback": _l("sent for a call-back"),
    "close": _l("closed"),
    "reopen": _l("reopened"),
    "settle_by_event": _l("settled by the event"),
    "link_sent": _l("texted to the team"),
    "assign": _l("assigned"),
}
# Words for events that change no status (see record()).
NOTES = {
    "opened": _l("Case logged"),
    "visit": _l("Visit recorded"),
    "reveal_phone": _l("Resident's phone shown"),
    "link_sent": _l("Job link sent"),
    "notice": _l("Notice to residents"),
    "link": _l("Case linked"),
    "callback": _l("Call-back answers"),
    "photo": _l("Photos added"),
    "assign": _l("Job assigned"),
}


@dataclass(frozen=True)
class Rule:
    to: str
    roles: frozenset
    needs_note: bool = False


def _t(to, roles, needs_note=False):
    return Rule(to, frozenset(roles), needs_note)


# (from, action) → to, and who may. Self-loops record a step without changing the status.
TABLE: dict[tuple[str, str], Rule] = {
    (RECEIVED, "void"): _t(VOID, OFFICE, True),
    (RECEIVED, "dispatch"): _t(DISPATCHED, OFFICE),
    # Until a team accepts, the office may take the job back (to be dispatched again) or send
    # it to another team in one step; the team hears it is withdrawn (services.recall).
    (DISPATCHED, "recall"): _t(RECEIVED, OFFICE, True),
    (DISPATCHED, "reassign"): _t(DISPATCHED, OFFICE),
    (DISPATCHED, "accept"): _t(ACCEPTED, TEAM),
    (DISPATCHED, "return"): _t(RETURNED, TEAM, True),
    (RETURNED, "dispatch"): _t(DISPATCHED, OFFICE),
    (RETURNED, "void"): _t(VOID, OFFICE, True),
    (ACCEPTED, "start"): _t(IN_PROGRESS, TEAM),
    (ACCEPTED, "arrive"): _t(IN_PROGRESS, TEAM),
    (IN_PROGRESS, "arrive"): _t(IN_PROGRESS, TEAM),
    (IN_PROGRESS, "revisit"): _t(IN_PROGRESS, TEAM | OFFICE),
    (IN_PROGRESS, "extend"): _t(EXTENDED, TEAM | OFFICE, True),
    (IN_PROGRESS, "park"): _t(PARKED, OFFICE, True),
    (EXTENDED, "resume"): _t(IN_PROGRESS, TEAM | OFFICE),
    (PARKED, "resume"): _t(IN_PROGRESS, OFFICE),
    (IN_PROGRESS, "handle"): _t(HANDLED, TEAM),
    (EXTENDED, "handle"): _t(HANDLED, TEAM),
    (HANDLED, "verify_pass"): _t(VERIFIED, OFFICE),
    (HANDLED, "verify_fail"): _t(IN_PROGRESS, OFFICE, True),
    (VERIFIED, "await_callback"): _t(CALLBACK, OFFICE),
    (VERIFIED, "close"): _t(CLOSED, OFFICE | {RESIDENT}),
    (VERIFIED, "reopen"): _t(REOPENED, OFFICE | {RESIDENT}, True),
    (CALLBACK, "close"): _t(CLOSED, OFFICE | {RESIDENT}),
    (CALLBACK, "reopen"): _t(REOPENED, OFFICE | {RESIDENT}, True),
    (REOPENED, "dispatch"): _t(DISPATCHED, OFFICE),
    (REOPENED, "start"): _t(IN_PROGRESS, TEAM | OFFICE),
}
# A case handled by an event (campaigns.models.CaseEventLink) is closed when the event is
# finished, from whatever open status it was in, with a note naming the event.
TABLE.update({(status, "settle_by_event"): _t(CLOSED, {SYSTEM}, True) for status in sorted(OPEN)})

TABLE_ACTIONS = frozenset(action for _src, action in TABLE)
# The steps that send the case to a team (a job link is bound to the latest of them).
SENDS = ("dispatch", "reassign")

DEFAULT_SLA_HOURS = {"emergency": 2, "utilities": 24, "general": 7 * 24, "complex": 15 * 24}


class NotNow(Refused):
    """The case's status has no such step (409): someone moved it first, or the page was old."""

    def __init__(self, case: Case, action: str):
        super().__init__(
            _l(
                "A case that is “%(status)s” cannot be “%(action)s”.",
                status=status_label(case.status),
                action=str(ACTIONS.get(action, action)),
            ),
            status=409,
        )


@dataclass(frozen=True)
class Guest:
    """Someone acting without an account: a job link (a team) or the resident's tracking link."""

    role: str
    name: str
    team_id: int | None = None
    # A job link issued to one member of the team: their account, when they have one, so the
    # trail credits the person (job_links.read_job_link).
    id: int | None = None
    community_id: None = None


def status_label(status: str) -> str:
    return str(STATUSES[status][0]) if status in STATUSES else status


def status_tone(case: Case, now=None) -> str:
    if case.is_overdue(now or utcnow()):
        return "red"
    return STATUSES.get(case.status, ("", "grey"))[1]


def sla_hours(tier: str) -> int:
    hours = dict(DEFAULT_SLA_HOURS)
    hours.update(current_app.config["CASE_SLA_HOURS"] or {})
    return hours[tier]


# What moves a worker to or from the place, in the trail: after "on my way", a return
# visit or a resume they are on the way; after "arrived" or a visit recorded, on site.
_WHEREABOUTS = frozenset({"accept", "start", "arrive", "revisit", "resume", "verify_fail", "visit"})


def on_site(case: Case) -> bool:
    """The team has arrived for the visit in hand ("arrived", or a visit recorded since the
    last step that sent them on their way): "arrived" is not the next step again."""
    last = next((e.action for e in reversed(case.events) if e.action in _WHEREABOUTS), None)
    return last in ("arrive", "visit")


def _possible(case: Case, action: str) -> bool:
    """Steps the table allows that make no sense now: arriving twice."""
    return not (action == "arrive" and case.status == IN_PROGRESS and on_site(case))


def actions_for(case: Case, role: str) -> list[str]:
    """The actions this role may take on this case now, in the table's order."""
    return [
        action
        for (src, action), rule in TABLE.items()
        if src == case.status and role in rule.roles and _possible(case, action)
    ]


def sla_span(case: Case) -> timedelta:
    """How long the team has once it accepts (its urgency tier's time limit)."""
    return timedelta(hours=sla_hours(case.tier))


def deadline_if_accepted(case: Case, now) -> datetime:
    """The due_at that accepting at `now` gives (transition's "accept"): the tier's time limit,
    or the case's fixed deadline when that comes first."""
    due = now + sla_span(case)
    if case.deadline_at is not None:
        due = min(due, max(case.deadline_at, now))
    return due


def _check_scope(case: Case, actor) -> None:
    """Defence in depth: services scope their queries too, but a transition never trusts them."""
    role = actor.role
    if role in TEAM and (case.team_id is None or actor.team_id != case.team_id):
        raise Refused(_l("This job is not your team's."), status=403)
    if role == STAFF and actor.community_id != case.community_id:
        raise Refused(_l("This case is not in your community."), status=403)


def transition(
    case: Case, action: str, actor, note: str = "", *, team_id: int | None = None, now=None
) -> CaseEvent:
    """Apply one action to a case, or refuse and change nothing.

    Rules: the (status, action) pair must be in TABLE (else 409); the actor's role must be
    allowed (403) and in scope; actions that need a reason refuse without one (422); a
    dispatch needs a team. Accepting starts the SLA clock by the case's urgency tier;
    reopening starts it again; arriving twice for one visit is refused (409).
    """
    from coordinator.cases import records  # it counts what this module defines

    rule = TABLE.get((case.status, action))
    if rule is None or not _possible(case, action):
        raise NotNow(case, action)
    if actor.role not in rule.roles:
        raise Refused(_l("Your role cannot do this."), status=403)
    _check_scope(case, actor)
    note = (note or "").strip()
    if rule.needs_note and not note:
        raise Refused(_l("Say why, in a few words."), field="note", status=422)
    if action in SENDS and not team_id:
        raise Refused(_l("Choose a team."), field="team_id", status=422)
    if action == "reassign" and team_id == case.team_id:
        raise Refused(
            _l("The case is with this team already: choose another."), field="team_id", status=422
        )

    now = now or utcnow()
    before = case.status
    counted = records.seen(case)
    if action in SENDS:
        case.team_id = team_id
        case.assignee_id = None  # a (new) dispatch is the team's until its lead assigns it
        case.dispatched_at = now
        case.accepted_at = None
        case.due_at = None
    elif action == "accept":
        case.accepted_at = now
        case.due_at = deadline_if_accepted(case, now)
    elif action == "extend":
        case.due_at = max(case.due_at or now, now) + sla_span(case)
    elif action == "start" and before == REOPENED and case.due_at is None:
        case.due_at = now + sla_span(case)
    elif action == "handle":
        case.handled_at = now
    elif action in ("close", "settle_by_event"):
        case.closed_at = now
    elif action == "reopen":
        # Reopened is on the clock (ON_THE_CLOCK): its new time limit runs from now, so the
        # board, the job page and the team see one deadline that "on my way" leaves alone
        # (it used to keep the old, passed one until the team started again).
        case.handled_at = None
        case.closed_at = None
        case.due_at = now + sla_span(case)
    case.status = rule.to
    event = _event(case, actor, action, before, rule.to, note, now)
    if action == "recall":  # after the event, which names the team it was taken from
        case.team_id = case.assignee_id = case.dispatched_at = None
    claim(case)
    records.case_moved(db.session.connection(), counted, case)
    signals.case_moved.send(case, action=action, before=before, after=rule.to, at=now)
    return event


def claim(case: Case) -> None:
    """Write the case now, on the version it was read in (a step that moves nothing too):
    StaleDataError here if someone changed it first, before any side effect is added."""
    flag_modified(case, "status")
    db.session.flush()


def record(case: Case, actor, what: str, note: str = "", now=None) -> CaseEvent:
    """An event in the trail that changes no status (what: a key of NOTES)."""
    return _event(case, actor, what, case.status, case.status, note, now or utcnow())


def opened(case: Case, actor, now=None) -> CaseEvent:
    """The first line of the trail: the case exists, as received."""
    case.status = RECEIVED
    return _event(case, actor, "opened", None, RECEIVED, "", now or utcnow())


def _event(case, actor, action, before, after, note, now) -> CaseEvent:
    event = CaseEvent(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", "") or "",
        action=action,
        from_status=before,
        to_status=after,
        note=note,
        at=now,
        team_id=case.team_id,
    )
    event.case = case  # joins the case's trail without loading it
    db.session.add(event)
    return event


def lost_race(case_id: int, action: str) -> Refused:
    """The 409 for someone whose step lost to another's, or came after it: who moved the case
    last and when ("Already dispatched by 王伟 at 2026年12月1日 14:02."), read after the
    loser's rollback. The winner's steps of one use case share their moment (verify: verified,
    then sent for a call-back), so pressing "verified" again hears "already verified"."""
    status = db.session.scalar(select(Case.status).where(Case.id == case_id))
    steps = db.session.execute(
        select(CaseEvent.action, CaseEvent.actor_name, CaseEvent.at)
        .where(CaseEvent.case_id == case_id, CaseEvent.action.in_(sorted(TABLE_ACTIONS | {action})))
        .order_by(CaseEvent.id.desc())
        .limit(4)
    ).all()
    if status is None or not steps:
        return Refused(_l("This case cannot do that now. Reload the page."), status=409)
    last = steps[0]
    together = [s.action for s in steps if s.at == last.at and s.actor_name == last.actor_name]
    who = last.actor_name or _("someone")
    if action in together:
        message = _(
            "Already %(done)s by %(who)s at %(when)s.",
            done=DONE[action],
            who=who,
            when=when(last.at),
        )
    else:
        message = _(
            "Cannot “%(action)s” now: %(done)s by %(who)s at %(when)s; the case is "
            "now “%(status)s”.",
            action=event_label_of(action),
            done=DONE.get(last.action, last.action),
            who=who,
            when=when(last.at),
            status=status_label(status),
        )
    return Refused(message, status=409)


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def event_label_of(action: str) -> str:
    return str(ACTIONS.get(action) or NOTES.get(action) or action)


def event_label(event: CaseEvent) -> str:
    return event_label_of(event.action)
