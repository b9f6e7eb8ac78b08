"""Use cases of campaigns: launching one (all its compounds' work in one unit of work), what an
inspection found, a case handled by an event, and closing a campaign when its work is done.

`launch()` is how campaigns, plans and warnings make work: a campaign row, then per target
compound a case (channel "campaign" or "plan", dispatched to the chosen team or the
compound's best match) or a copy of a drive (`drive=`), and its CampaignTarget, all or
nothing. A refusal at any compound (no team covers it, the chosen team does not, …) undoes
every compound's work.

Closing follows the work: the receivers of cases.signals.case_moved and
events.signals.event_moved (connected in the package's init_app) mark a target done when its
case is closed or void, its event finished or cancelled, and close the campaign with the last
one, in the same transaction as the step that finished it. A finished event also settles the
open cases linked to it (CaseEventLink) with a trail note naming it.
"""

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update

from coordinator import access
from coordinator.auth.models import User
from coordinator.campaigns import targets as targeting
from coordinator.campaigns.models import CLOSED, OPEN, Campaign, CampaignTarget, CaseEventLink
from coordinator.cases import matching, signals, workflow
from coordinator.cases.models import FINAL_STATUSES, Case
from coordinator.converters import parse_int
from coordinator.events.models import CANCELLED, DONE, DRAFT, Event, EventRole
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import to_local, to_utc, utcnow
from coordinator.notifications.services import queue
from coordinator.rules import Refused
from coordinator.teams.models import Team
from coordinator.work import Conflict, unit_of_work, update_where

EVENT_DONE = frozenset({DONE, CANCELLED})
# "（第二批）", "(2)": a batch number the copies do not keep.
BATCH_SUFFIX = re.compile(r"\s*[（(][^（）()]{1,12}[）)]\s*$")
NOTICE_DAYS = 7  # a copy's notice goes up this many days before its day (editable)


@dataclass
class Work:
    """What each target compound gets, as a case."""

    title: str
    category: str
    instructions: str = ""
    checklist: str = ""
    tier: str = "general"
    team_id: int | None = None  # None: each compound's best match
    due_at: datetime | None = None  # a fixed deadline (before a warning, a plan's occurrence)
    channel: str = "campaign"


@dataclass
class Drive:
    """What each target compound gets, as an event: a copy of the source drive on `day` (a
    Beijing date), its notice `notice_days` before."""

    source: Event
    day: date
    notice_days: int = NOTICE_DAYS
    name: str = ""  # each copy's title after its compound's name; "": the source's, renamed
    meeting_place: str = ""  # where people meet at each compound; "": the source's, unplaced
    seen: int | None = None  # the drive's version the form was drawn with; None: as read now


def case_text(work: Work) -> str:
    """The case's description: the title, what to do and the checklist, one item a line."""
    lines = [work.title]
    if work.instructions.strip():
        lines.append(work.instructions.strip())
    items = [line.strip() for line in work.checklist.splitlines() if line.strip()]
    lines.extend(f"☐ {item}" for item in items)
    return "\n".join(lines)


def launch(
    actor,
    work: Work,
    compounds,
    *,
    criteria: targeting.Targets | None = None,
    now: datetime | None = None,
    drive: Drive | None = None,
    **source,
) -> Campaign:
    """A campaign and one dispatched case per compound (or, with `drive`, one copy of the
    drive per compound), in one unit of work.

    source: source_case_id, source_event_id, source_spot, warning_id (where it came from),
    submission_key (the form's one-time key: a second launch with it is refused by its unique
    index, and the caller shows the first).
    Rules: at least one compound; a chosen team must be active, have the skill and cover each
    compound (else refused, naming the compound); without one, each compound's best match
    takes it (none: the case waits, received, to be dispatched by hand). The team leads get
    one text per team, not one per compound."""
    compounds = list(compounds)
    if not compounds:
        raise Refused(_l("No compound matches these targets."), field="targets", status=422)
    now = now or utcnow()
    if drive is not None:
        source.setdefault("source_event_id", drive.source.id)
        with unit_of_work(conflict=_l("This campaign was made just now."), field="title"):
            return _launch_drive(actor, work, drive, compounds, criteria, now, source)
    with unit_of_work(conflict=_l("This campaign was made just now."), field="title"):
        campaign = _campaign(actor, work, "case", criteria, now, source)
        chosen = db.session.get(Team, work.team_id) if work.team_id else None
        if work.team_id and (chosen is None or not chosen.active):
            raise Refused(_l("This team is not taking work."), field="team_id", status=422)
        description = case_text(work)
        per_team = defaultdict(int)
        for compound in compounds:
            case = _open(actor, campaign, work, compound, description, now)
            team_id = _team_for(case, chosen, compound)
            if team_id is not None:
                workflow.transition(case, "dispatch", actor, work.title, team_id=team_id, now=now)
                per_team[team_id] += 1
            db.session.add(
                CampaignTarget(campaign_id=campaign.id, compound_id=compound.id, case_id=case.id)
            )
        _tell_teams(campaign, per_team)
    return campaign


def _campaign(actor, work: Work, kind: str, criteria, now, source: dict) -> Campaign:
    """The campaign row, flushed (its id for the work's rows)."""
    campaign = Campaign(
        title=work.title,
        category=work.category,
        instructions=work.instructions,
        checklist=work.checklist,
        work_kind=kind,
        tier=work.tier,
        due_at=work.due_at if kind == "case" else None,
        team_id=work.team_id if kind == "case" else None,
        criteria=(criteria or targeting.Targets()).to_json(),
        created_by_id=getattr(actor, "id", None),
        created_at=now,
        **source,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _open(actor, campaign: Campaign, work: Work, compound, description: str, now) -> Case:
    case = Case(
        category=work.category,
        tier=work.tier,
        channel=work.channel,
        community_id=compound.community_id,
        compound_id=compound.id,
        description=description,
        tracking_token=secrets.token_urlsafe(16),
        created_by_id=getattr(actor, "id", None),
        campaign_id=campaign.id,
        deadline_at=work.due_at,
        created_at=now,
    )
    db.session.add(case)
    workflow.opened(case, actor, now=now)
    db.session.flush()
    signals.case_opened.send(case, at=now)
    return case


def _team_for(case: Case, chosen: Team | None, compound) -> int | None:
    """The team for a compound's case: the chosen one, which must be able to take it (else the
    whole campaign is refused), or the compound's best match. A compound no team covers keeps
    its case received, on the board's "to dispatch" list with its deadline, for the office to
    find someone: one compound without a contractor does not hold up the other ninety-nine."""
    if chosen is None:
        best = matching.suggest(case, explain=0, limit=1)
        return best[0].team.id if best else None
    facts = matching.suggest(case, explain=0)
    if not any(s.team.id == chosen.id for s in facts):
        raise Refused(
            _l(
                "%(team)s cannot take the work at %(name)s (skill, area or room).",
                team=chosen.name,
                name=compound.name,
            ),
            field="team_id",
            status=422,
        )
    return chosen.id


def _tell_teams(campaign: Campaign, per_team: dict[int, int]) -> None:
    teams = {t.id: t for t in db.session.query(Team).filter(Team.id.in_(list(per_team)))}
    for team_id, count in per_team.items():
        team = teams[team_id]
        lead = team.lead
        phone, user_id = (lead.phone, lead.user_id) if lead else (team.phone, None)
        if not phone:
            continue
        queue(
            "case_dispatched",
            phone,
            _(
                "%(count)d new jobs of “%(title)s”. Open the app to accept.",
                count=count,
                title=campaign.title,
            ),
            user_id=user_id,
            about=("campaign", campaign.id),
        )


# --- a drive copied into many compounds ------------------------------------------------------


def copy_title(title: str, old_name: str, new_name: str) -> str:
    """The copy's title, named for its compound, without the source's batch suffix."""
    title = BATCH_SUFFIX.sub("", title or "")
    if old_name and old_name in title:
        return title.replace(old_name, new_name)[:120]
    return f"{new_name}{title}"[:120]


def copy_name(event: Event) -> str:
    """What the form offers as the copies' name: the source's title without its compound's
    name and its batch ("西土城路8号院废弃自行车集中清理（第二批）" → "废弃自行车集中清理")."""
    old_name = event.compound.name if event.compound else ""
    return copy_title(event.title, old_name, "").strip(" ·-—")


def copy_meeting_place(event: Event) -> str:
    """What the form offers as each compound's meeting place: the source's without its own
    compound's name ("8号院车棚门口" → "车棚门口"), which no other compound has."""
    place = event.meeting_place or ""
    compound = event.compound
    if compound is not None:
        for name in sorted({compound.name, *_short_names(compound.name)}, key=len, reverse=True):
            place = place.replace(name, "")
    return place.strip(" ·,，、")


def _short_names(name: str) -> list[str]:
    """ "西土城路8号院" is written "8号院" on notices: the trailing house number and kind."""
    found = re.search(r"[0-9０-９]+号(院|楼)?$", name)
    return [found.group(0)] if found else []


def _renamed(text: str, old: str, new: str) -> str:
    return text.replace(old, new) if old and text else text


def organisers(community_ids) -> dict[int, int]:
    """Each community's organiser for its copies: its first active staff member (by id)."""
    ids = sorted(set(community_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.community_id, func.min(User.id))
        .where(User.role == access.STAFF, User.active.is_(True), User.community_id.in_(ids))
        .group_by(User.community_id)
    )
    return dict(rows.all())


def _launch_drive(actor, work: Work, drive: Drive, compounds, criteria, now, source) -> Campaign:
    event = drive.source
    # On the drive as the form showed it (its version): two tabs launching it, at once or one
    # after the other, make one set of copies; the later finds the drive changed (409).
    seen = event.version if drive.seen is None else drive.seen
    update_where(Event, event.id, {"version": seen}, version=seen + 1)
    campaign = _campaign(actor, work, "event", criteria, now, source)
    if event.campaign_id is None:
        event.campaign_id = campaign.id
    by_community = organisers(c.community_id for c in compounds)
    old_name = event.compound.name if event.compound else ""
    starts_at = to_utc(datetime.combine(drive.day, to_local(event.starts_at).time()))
    duration = event.ends_at - event.starts_at
    notice = drive.day - timedelta(days=drive.notice_days)
    roles = [(r.name, r.capacity, r.position, r.registers_bikes) for r in event.roles]
    meeting_place = drive.meeting_place or copy_meeting_place(event)
    copies = []
    for compound in compounds:
        if compound.id == event.compound_id:  # the source drive is this compound's work
            copies.append((compound, event))
            continue
        copy = Event(
            kind=event.kind,
            title=f"{compound.name}{drive.name}"[:120]
            if drive.name
            else copy_title(event.title, old_name, compound.name),
            community_id=compound.community_id,
            compound_id=compound.id,
            starts_at=starts_at,
            ends_at=starts_at + duration,
            meeting_place=meeting_place,
            bring=event.bring,
            organiser_id=by_community.get(compound.community_id) or actor.id,
            description=_renamed(event.description, old_name, compound.name),
            status=DRAFT,
            notice_date=notice,
            claim_days=event.claim_days,
            notice_text=_renamed(event.notice_text, old_name, compound.name),
            campaign_id=campaign.id,
            created_at=now,
            updated_at=now,
        )
        copy.roles = [
            EventRole(name=n, capacity=c, position=p, registers_bikes=b) for n, c, p, b in roles
        ]
        db.session.add(copy)
        copies.append((compound, copy))
    db.session.flush()
    db.session.add_all(
        CampaignTarget(
            campaign_id=campaign.id,
            compound_id=compound.id,
            event_id=copy.id,
            done_at=now if copy.status in EVENT_DONE else None,
        )
        for compound, copy in copies
    )
    return campaign


# --- what an inspection found ---------------------------------------------------------------

FOUND_VALUES = {"yes": True, "no": False, "": None}


def mark_found(actor, campaign: Campaign, target_id: int, seen: str, value: str) -> None:
    """The office marks what the work at one compound found (a problem / nothing / not known),
    on the value the page showed: two people marking at once, the second gets a 409."""
    if seen not in FOUND_VALUES or value not in FOUND_VALUES:
        raise Refused(_l("Choose found or not found."), field="found", status=422)
    with unit_of_work():
        target = db.session.get(CampaignTarget, target_id)
        if target is None or target.campaign_id != campaign.id or not _may_mark(actor, target):
            raise Refused(_l("Not found."), status=404)
        try:
            update_where(
                CampaignTarget, target.id, {"found": FOUND_VALUES[seen]}, found=FOUND_VALUES[value]
            )
        except Conflict as lost:
            raise Conflict(
                _l("Someone else marked this compound just now. Reload the page."), field="found"
            ) from lost


def _may_mark(actor, target: CampaignTarget) -> bool:
    """Admins mark any compound; staff their own community's (the page shows them no other)."""
    if actor.role == access.ADMIN:
        return True
    return actor.role == access.STAFF and target.compound.community_id == actor.community_id


# --- a case handled by an event -------------------------------------------------------------


def link_case(actor, case: Case, event: Event) -> CaseEventLink:
    """This case is handled by that event (of the same community, not yet finished): when the
    event is finished the case is closed with it."""
    if event.community_id != case.community_id:
        raise Refused(_l("Choose an event of the case's community."), field="event_id", status=422)
    if event.status in EVENT_DONE:
        raise Refused(
            _l("This event is over; choose one still to come."), field="event_id", status=422
        )
    if not case.is_open:
        raise Refused(_l("This case is no longer open."), field="event_id", status=409)
    with unit_of_work(conflict=_l("This case is linked to that event already."), field="event_id"):
        link = CaseEventLink(case_id=case.id, event_id=event.id, created_by_id=actor.id)
        db.session.add(link)
        workflow.record(
            case, actor, "link", _("Handled by the event “%(title)s”.", title=event.title)
        )
        return link


def _settle_linked(event: Event, actor, at: datetime) -> None:
    cases = db.session.scalars(
        select(Case)
        .join(CaseEventLink, CaseEventLink.case_id == Case.id)
        .where(CaseEventLink.event_id == event.id, Case.is_open)
        .order_by(Case.id)
    ).all()
    system = workflow.Guest(workflow.SYSTEM, getattr(actor, "name", "") or "")
    note = _("Settled: the event “%(title)s” is finished.", title=event.title)
    for case in cases:
        workflow.transition(case, "settle_by_event", system, note, now=at)


# --- closing when all the work is done ------------------------------------------------------


def _work_done(campaign_id: int, target_filter, at: datetime) -> None:
    """Mark the targets done and close the campaign when none is left. The campaign's row is
    written first (its version), which on PostgreSQL holds two finishing steps of one campaign
    one after the other, so the second counts what the first left, and the last closes it."""
    locked = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == OPEN)
        .values(version=Campaign.version + 1)
        .execution_options(synchronize_session="evaluate")
    )
    if locked.rowcount != 1:
        return  # closed already
    db.session.execute(
        update(CampaignTarget)
        .where(
            CampaignTarget.campaign_id == campaign_id,
            target_filter,
            CampaignTarget.done_at.is_(None),
        )
        .values(done_at=at)
        .execution_options(synchronize_session="evaluate")
    )
    left = db.session.scalar(
        select(func.count())
        .select_from(CampaignTarget)
        .where(CampaignTarget.campaign_id == campaign_id, CampaignTarget.done_at.is_(None))
    )
    if left == 0:
        db.session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == OPEN)
            .values(status=CLOSED, closed_at=at, version=Campaign.version + 1)
            .execution_options(synchronize_session="evaluate")
        )


def case_moved(case: Case, action: str, before: str, after: str, at: datetime, **_kw) -> None:
    if case.campaign_id is None or after not in FINAL_STATUSES:
        return
    _work_done(case.campaign_id, CampaignTarget.case_id == case.id, at)


def event_moved(event: Event, before: str, after: str, at: datetime, actor=None, **_kw) -> None:
    if after == DONE:
        _settle_linked(event, actor, at)
    if after not in EVENT_DONE:
        return
    campaign_ids = db.session.scalars(
        select(CampaignTarget.campaign_id).where(CampaignTarget.event_id == event.id).distinct()
    ).all()
    for campaign_id in campaign_ids:
        _work_done(campaign_id, CampaignTarget.event_id == event.id, at)


# --- the form's launch ------------------------------------------------------------------------


def submitted(key: str | None) -> Campaign | None:
    return (
        db.session.scalar(select(Campaign).where(Campaign.submission_key == key)) if key else None
    )


def launch_from_form(actor, form, source, key: str | None) -> Campaign:
    """The "make this a campaign" form's confirm: its targets within the actor's scope, then
    launch() (one unit of work)."""
    targets = form.targets()
    chosen = targeting.compounds(targets, actor)
    ids = dict(source.ids(), submission_key=key)
    work = Work(
        title=form.title.data,
        category=form.category.data,
        instructions=form.instructions.data or "",
        checklist=form.checklist.data or "",
        tier=form.tier.data,
        team_id=int(form.team_id.data) if form.team_id.data else None,
        due_at=_end_of_day(form.deadline.data),
    )
    if form.work_kind.data == "event":
        drive = Drive(
            source=source.event,
            day=form.event_day.data,
            notice_days=form.notice_days.data if form.notice_days.data is not None else NOTICE_DAYS,
            name=form.copy_name.data or "",
            meeting_place=form.copy_meeting_place.data or "",
            seen=parse_int(form.drive_seen.data),
        )
        return launch(actor, work, chosen, criteria=targets, drive=drive, **ids)
    return launch(actor, work, chosen, criteria=targets, **ids)


def _end_of_day(day: date | None) -> datetime | None:
    if day is None:
        return None
    return to_utc(datetime.combine(day, time(23, 59, 59)))
