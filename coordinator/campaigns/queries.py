"""The campaigns' read models: the list, one campaign's progress (a row per compound), the live
count of the "make a campaign" form, and the case ↔ event panels.

Scope (`visible`): admins see every campaign; staff those with a target compound in their
community, and on a campaign's page only their community's compounds; nobody else any.
"""

from datetime import datetime

from flask import url_for
from sqlalchemy import exists, false, func, select
from sqlalchemy.orm import aliased

from coordinator import access
from coordinator.auth.models import User
from coordinator.bikes.services import tally
from coordinator.campaigns import targets as targeting
from coordinator.campaigns.models import CLOSED, OPEN, Campaign, CampaignTarget, CaseEventLink
from coordinator.cases import workflow
from coordinator.cases.models import Case
from coordinator.events.models import CANCELLED, DONE, Event
from coordinator.events.models import STATUSES as EVENT_STATUSES
from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.paging import Page, paginate
from coordinator.places.models import Community, Compound
from coordinator.teams.models import Team
from coordinator.teams.queries import visible as teams_visible

PER_PAGE = 20
LIVE_NAMES = 30  # compound names shown under the live count


def _in_community(actor):
    return (
        select(CampaignTarget.id)
        .join(Compound, Compound.id == CampaignTarget.compound_id)
        .where(
            CampaignTarget.campaign_id == Campaign.id,
            Compound.community_id == actor.community_id,
        )
        .exists()
    )


def visible(stmt, actor):
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(_in_community(actor))
    return stmt.where(false())


def _targets_visible(stmt, actor):
    """A campaign's target rows the actor may see (staff: their community's compounds)."""
    if actor.role == access.ADMIN:
        return stmt
    if actor.role == access.STAFF:
        return stmt.where(Compound.community_id == actor.community_id)
    return stmt.where(false())


def list_page(actor, status: str, number: int) -> Page:
    """Newest first, each with its targets and how many are done (one statement a page)."""
    total = (
        select(func.count())
        .where(CampaignTarget.campaign_id == Campaign.id)
        .correlate(Campaign)
        .scalar_subquery()
    )
    done = (
        select(func.count())
        .where(CampaignTarget.campaign_id == Campaign.id, CampaignTarget.done_at.is_not(None))
        .correlate(Campaign)
        .scalar_subquery()
    )
    stmt = select(
        Campaign.id,
        Campaign.title,
        Campaign.work_kind,
        Campaign.status,
        Campaign.created_at,
        Campaign.closed_at,
        total.label("total"),
        done.label("done"),
    ).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if status in (OPEN, CLOSED):
        stmt = stmt.where(Campaign.status == status)
    return paginate(visible(stmt, actor), number, PER_PAGE, scalars=False)


def get_campaign(actor, campaign_id: int) -> Campaign | None:
    return db.session.scalar(visible(select(Campaign).where(Campaign.id == campaign_id), actor))


def _case_tone(status: str, due_at, now) -> str:
    if status in workflow.ON_THE_CLOCK and due_at is not None and due_at < now:
        return "red"
    return workflow.STATUSES.get(status, ("", "grey"))[1]


def progress(campaign: Campaign, actor, now: datetime | None = None) -> dict:
    """Each compound's work side by side and the tally: two statements (the rows; the bikes
    of the drives), whatever the number of compounds."""
    now = now or utcnow()
    organiser = aliased(User)
    stmt = (
        select(
            CampaignTarget.id,
            CampaignTarget.found,
            CampaignTarget.done_at,
            CampaignTarget.case_id,
            CampaignTarget.event_id,
            Compound.name.label("compound"),
            Community.name.label("community"),
            Case.status.label("case_status"),
            Case.due_at.label("case_due"),
            Case.deadline_at.label("case_deadline"),
            Team.name.label("team"),
            Event.status.label("event_status"),
            Event.starts_at.label("event_starts"),
            Event.title.label("event_title"),
            organiser.name.label("organiser"),
        )
        .join(Compound, Compound.id == CampaignTarget.compound_id)
        .join(Community, Community.id == Compound.community_id)
        .outerjoin(Case, Case.id == CampaignTarget.case_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(Event, Event.id == CampaignTarget.event_id)
        .outerjoin(organiser, organiser.id == Event.organiser_id)
        .where(CampaignTarget.campaign_id == campaign.id)
        .order_by(Community.name, Compound.name, CampaignTarget.id)
    )
    rows = []
    for r in db.session.execute(_targets_visible(stmt, actor)):
        if r.case_id is not None:
            status, tone = (
                workflow.status_label(r.case_status),
                _case_tone(r.case_status, r.case_due, now),
            )
            url = url_for("cases.detail", case_id=r.case_id)
            who, due = r.team or "", r.case_due or r.case_deadline
        else:
            label, tone = EVENT_STATUSES.get(r.event_status, (r.event_status or "", "grey"))
            status, url = str(label), url_for("events.detail", event_id=r.event_id)
            who, due = r.organiser or "", r.event_starts
        rows.append(
            {
                "id": r.id,
                "compound": r.compound,
                "community": r.community,
                "status": status,
                "tone": tone,
                "who": who,
                "due": due,
                "done_at": r.done_at,
                "found": r.found,
                "url": url,
                "case_id": r.case_id,
                "event_id": r.event_id,
                "overdue": tone == "red",
            }
        )
    event_ids = [r["event_id"] for r in rows if r["event_id"]]
    bikes = tally(event_ids) if event_ids else {}
    for r in rows:
        r["bikes"] = bikes.get(r["event_id"]) if r["event_id"] else None
    return {
        "rows": rows,
        "total": len(rows),
        "done": sum(1 for r in rows if r["done_at"] is not None),
        "found": sum(1 for r in rows if r["found"] is True),
        "not_found": sum(1 for r in rows if r["found"] is False),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "bikes_cleared": sum(b["cleared"] for b in bikes.values()) if bikes else None,
        "drives": bool(event_ids),
    }


def live(targets: targeting.Targets, actor) -> dict:
    """The form's live count and the first names it matches (two statements)."""
    names = [c.name for c in targeting.compounds(targets, actor, limit=LIVE_NAMES)]
    return {
        "count": targeting.count(targets, actor) if len(names) >= LIVE_NAMES else len(names),
        "names": names,
        "more": len(names) >= LIVE_NAMES,
    }


def community_names() -> dict[int, str]:
    return dict(db.session.execute(select(Community.id, Community.name)).all())


def team_options(actor) -> list[tuple[str, str]]:
    """Teams that may be chosen for every compound: active ones the actor may see (the teams'
    scope rule: staff those serving their community); launch checks skill and area."""
    rows = db.session.execute(
        teams_visible(select(Team.id, Team.name), actor)
        .where(Team.active.is_(True))
        .order_by(Team.name)
    )
    return [(str(i), n) for i, n in rows]


# --- case ↔ event -----------------------------------------------------------------------------


def events_for_case(case: Case) -> list[tuple[int, str]]:
    """Events a case may be handled by: its community's, not finished or cancelled, soonest
    first."""
    rows = db.session.execute(
        select(Event.id, Event.title, Event.starts_at)
        .where(Event.community_id == case.community_id, Event.status.not_in((DONE, CANCELLED)))
        .order_by(Event.starts_at, Event.id)
        .limit(50)
    )
    return [(i, t, s) for i, t, s in rows]


def case_links(case_id: int) -> list:
    return db.session.execute(
        select(Event.id, Event.title, Event.status, Event.starts_at)
        .join(CaseEventLink, CaseEventLink.event_id == Event.id)
        .where(CaseEventLink.case_id == case_id)
        .order_by(Event.starts_at)
    ).all()


def event_links(event_id: int, actor) -> list:
    stmt = (
        select(Case.id, Case.status, Case.description, Compound.name.label("compound"))
        .join(CaseEventLink, CaseEventLink.case_id == Case.id)
        .outerjoin(Compound, Compound.id == Case.compound_id)
        .where(CaseEventLink.event_id == event_id)
        .order_by(Case.id)
    )
    if actor.role == access.STAFF:
        stmt = stmt.where(Case.community_id == actor.community_id)
    elif actor.role != access.ADMIN:
        return []
    return db.session.execute(stmt).all()


def campaigns_of_event(event_id: int) -> list:
    return db.session.execute(
        select(Campaign.id, Campaign.title)
        .where(
            exists().where(
                CampaignTarget.campaign_id == Campaign.id, CampaignTarget.event_id == event_id
            )
        )
        .order_by(Campaign.id)
    ).all()
