"""What we offer through Open311, in its words: our categories as services (codes are the
category codes of coordinator/categories.py), their groups and keywords, the attributes of
every service definition, and the plain words of where a case stands (status_notes).

Every text is translated; the API answers in the reader's language (Chinese unless the `lang`
cookie says `en`, as on the site).
"""

from coordinator.cases import workflow
from coordinator.cases.models import TIERS
from coordinator.categories import CATEGORIES
from coordinator.i18n import lazy_gettext as _l

# A service's description and keywords (synonyms of its name, comma separated).
DESCRIPTIONS = {
    "drain": _l("Blocked drains, sewage backing up, overflowing manholes, standing rain water."),
    "plumbing": _l("Leaking or burst water pipes, taps and tanks; no water."),
    "electrics": _l("Street and stairwell lights out or broken, exposed wiring, power faults."),
    "trees": _l("Dead or broken branches, trees leaning on wires, overgrown greenery."),
    "paving": _l("Potholes, broken paving and curbs, loose manhole covers."),
    "cleaning": _l("Rubbish not collected, dirty shared areas, dumped waste."),
    "flyposting": _l("Small ads and posters stuck on walls, poles and stairwells."),
    "bikes": _l("Abandoned bikes and clutter in bike sheds, stairwells and passages."),
    "moving": _l("Help with moving or carrying, e.g. for elderly residents."),
    "other": _l("Anything else the community should look at."),
}
KEYWORDS = {
    "drain": _l("drain, sewer, blocked, manhole, flooding"),
    "plumbing": _l("water pipe, leak, burst pipe, tap, no water"),
    "electrics": _l("street light, stairwell light, wiring, power cut"),
    "trees": _l("tree, branch, trimming, greenery"),
    "paving": _l("pothole, paving, curb, road surface"),
    "cleaning": _l("rubbish, litter, garbage, dumping"),
    "flyposting": _l("small ads, posters, graffiti"),
    "bikes": _l("abandoned bike, bike shed, clutter"),
    "moving": _l("moving, carrying, help"),
    "other": _l("other"),
}
GROUPS = {
    "facilities": _l("Repairs to shared facilities"),
    "environment": _l("Environment and order"),
    "help": _l("Help for residents"),
}
GROUP_OF = {
    "drain": "facilities",
    "plumbing": "facilities",
    "electrics": "facilities",
    "paving": "facilities",
    "trees": "environment",
    "cleaning": "environment",
    "flyposting": "environment",
    "bikes": "environment",
    "moving": "help",
    "other": "help",
}
assert set(DESCRIPTIONS) == set(KEYWORDS) == set(GROUP_OF) == set(CATEGORIES)

# The attributes of every service definition: what a POST may add as attribute[code]=value.
# None is required; without urgency a case is "general" (7 days), as at the duty desk.
URGENCY, FLOOR, HOUSEHOLD = "urgency", "floor", "household"
ATTRIBUTE_TEXTS = {
    URGENCY: _l("How urgent is it? Without an answer: general."),
    FLOOR: _l(
        "Which floor, when it is inside a building (low floors flood first when a "
        "building's drain stack is blocked)."
    ),
    HOUSEHOLD: _l(
        "The flat, e.g. 101. Only those handling the case see it; it is never published."
    ),
}
NUMBER_HINT = _l("A whole number, e.g. 3.")
FLOORS = (-5, 200)  # basements to the tallest tower: anything else is a slip
HOUSEHOLD_MAX = 40  # cases.household

# Where a case stands, in plain words (status_notes). Only the status and the team's name go
# in: never a note written by staff, never anything about the resident.
STATUS_NOTES = {
    workflow.RECEIVED: _l("Received; waiting to be sent to a service team."),
    workflow.DISPATCHED: _l("Sent to %(team)s."),
    workflow.RETURNED: _l("Being sent to another service team."),
    workflow.ACCEPTED: _l("Accepted by %(team)s."),
    workflow.IN_PROGRESS: _l("%(team)s is working on it."),
    workflow.EXTENDED: _l("%(team)s is working on it; the time limit was extended."),
    workflow.PARKED: _l("On hold until the season allows the work."),
    workflow.HANDLED: _l("Done by %(team)s; the community will check it on site."),
    workflow.VERIFIED: _l("Checked on site; the resident will be asked how it went."),
    workflow.CALLBACK: _l("Checked on site; the resident will be asked how it went."),
    workflow.REOPENED: _l("Reopened: the resident was not satisfied; it is being handled again."),
    workflow.CLOSED: _l("Resolved and closed."),
    workflow.VOID: _l("Void: not taken up (a duplicate, or not for the subdistrict to handle)."),
}
NO_TEAM = _l("the service team")
assert set(STATUS_NOTES) == set(workflow.STATUSES)

# What the office will do (service_notice), by urgency tier.
SERVICE_NOTICE = _l(
    "Logged at the subdistrict; handled within the time limit for “%(tier)s”, counted from "
    "when a service team accepts it."
)


def tier_label(tier: str) -> str:
    return str(TIERS.get(tier, TIERS["general"]))
