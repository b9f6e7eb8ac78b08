"""Use cases of campaigns: launching one (all its compounds' work in one unit of work).

`launch()` is how campaigns, plans and warnings make work: a campaign row, then per target
compound a case (channel "campaign" or "plan", dispatched to the chosen team or the
compound's best match) and its CampaignTarget, all or nothing. A refusal at any compound
(no team covers it, the chosen team does not, …) undoes every compound's work.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from coordinator.campaigns import targets as targeting
from coordinator.campaigns.models import Campaign, CampaignTarget
from coordinator.cases import matching, signals, workflow
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.i18n import gettext as _
from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import utcnow
from coordinator.notifications.services import queue
from coordinator.rules import Refused
from coordinator.teams.models import Team
from coordinator.work import unit_of_work


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
    **source,
) -> Campaign:
    """A campaign and one dispatched case per compound, in one unit of work.

    source: source_case_id, source_event_id, source_spot or warning_id (where it came from).
    Rules: at least one compound; a chosen team must be active, have the skill and cover each
    compound; without one, each compound's best match takes it (none: refused, naming the
    compound). The team leads get one text per team, not one per compound."""
    compounds = list(compounds)
    if not compounds:
        raise Refused(_l("No compound matches these targets."), field="targets", status=422)
    now = now or utcnow()
    with unit_of_work():
        campaign = Campaign(
            title=work.title,
            category=work.category,
            instructions=work.instructions,
            checklist=work.checklist,
            work_kind="case",
            tier=work.tier,
            due_at=work.due_at,
            team_id=work.team_id,
            criteria=(criteria or targeting.Targets()).to_json(),
            created_by_id=getattr(actor, "id", None),
            created_at=now,
            **source,
        )
        db.session.add(campaign)
        db.session.flush()
        chosen = db.session.get(Team, work.team_id) if work.team_id else None
        if work.team_id and (chosen is None or not chosen.active):
            raise Refused(_l("This team is not taking work."), field="team_id", status=422)
        description = case_text(work)
        per_team = defaultdict(int)
        for compound in compounds:
            case = _open(actor, campaign, work, compound, description, now)
            team_id = _team_for(case, chosen, compound)
            workflow.transition(case, "dispatch", actor, work.title, team_id=team_id, now=now)
            per_team[team_id] += 1
            db.session.add(
                CampaignTarget(campaign_id=campaign.id, compound_id=compound.id, case_id=case.id)
            )
        _tell_teams(campaign, per_team)
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


def _team_for(case: Case, chosen: Team | None, compound) -> int:
    if chosen is None:
        best = matching.suggest(case, explain=0, limit=1)
        if not best:
            raise Refused(
                _l("No team can take the work at %(name)s.", name=compound.name),
                field="targets",
                status=422,
            )
        return best[0].team.id
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
