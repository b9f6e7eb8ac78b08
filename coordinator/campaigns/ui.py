"""What campaigns add to other domains' pages without those domains importing campaigns: the
case page's "handled by an event" panel and the event page's linked cases, as template
globals the shared templates call when the campaigns domain is there."""

from flask_login import current_user

from coordinator.campaigns import queries
from coordinator.campaigns.forms import LinkEventForm


def case_panel(case) -> dict:
    form = LinkEventForm(formdata=None)
    choices = queries.events_for_case(case) if case.is_open else []
    form.event_id.choices = [(str(i), t) for i, t, _s in choices]
    return {"links": queries.case_links(case.id), "form": form, "choices": choices}


def event_panel(event) -> dict:
    return {
        "cases": queries.event_links(event.id, current_user),
        "campaigns": queries.campaigns_of_event(event.id),
    }


def register(app) -> None:
    app.jinja_env.globals.update(campaign_case_panel=case_panel, campaign_event_panel=event_panel)
