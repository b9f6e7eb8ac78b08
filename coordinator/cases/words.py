"""What a case says to residents, in plain words: a notice's sentences per category (what is
being done, what neighbours can do meanwhile), and the steps of the tracking timeline.

Staff's notes never reach a resident through these: a step is worded from its kind and the
team's name only, as Open311's status notes are.
"""

from coordinator.i18n import lazy_gettext as _l

# What is happening, per category (coordinator/categories.py), about %(here)s: "your
# building" or "your entrance" (the notice's building, or its entrance when it names one).
HAPPENING = {
    "drain": _l("The drains and sewage pipes of %(here)s are being cleared."),
    "plumbing": _l("The water pipes of %(here)s are being repaired."),
    "electrics": _l("The wiring and lights of %(here)s are being repaired."),
    "trees": _l("The trees around %(here)s are being trimmed and dead branches removed."),
    "paving": _l("The paving and potholes near %(here)s are being repaired."),
    "cleaning": _l("The rubbish and clutter around %(here)s are being cleared away."),
    "flyposting": _l("The flyposting on %(here)s is being removed."),
    "bikes": _l("The abandoned bikes and clutter around %(here)s are being cleared away."),
    "moving": _l("Our workers are helping a household of %(here)s to move things."),
    "other": _l("A problem reported in %(here)s is being dealt with."),
}
# What neighbours can do until it is done (the notice's default, when staff add nothing).
MEANWHILE = {
    "drain": _l(
        "Until it is cleared, please use as little water as you can, and do not pour grease "
        "or throw wipes, masks or hair down the drains."
    ),
    "plumbing": _l("The water may be off for a while during the repair: please keep some ready."),
    "electrics": _l(
        "The power or the lights may be off for a while: please take care on the stairs."
    ),
    "trees": _l(
        "While the work goes on, please do not park or stand under the trees, and keep "
        "children away."
    ),
    "paving": _l("Please go round the works, and mind children and elderly neighbours."),
    "cleaning": _l("Please do not leave things in the stairwells and shared areas."),
    "flyposting": _l("If new flyposting appears, please tell the community office."),
    "bikes": _l(
        "If a bike there is yours and still in use, please move it into the bike shed and "
        "tell the community office."
    ),
    "moving": _l("People will be carrying things through the stairwell: please mind the way."),
    "other": _l("We are sorry for the trouble, and thank you for your patience."),
}
HERE = {"building": _l("your building"), "entrance": _l("your entrance")}

# The tracking timeline: each step a resident is shown, by the trail's action. %(team)s is the
# team's name. Steps not here (a phone shown, a job link sent, a link between cases, photos,
# the call-back's own request) are the office's business and are not shown.
STEPS = {
    "opened": _l("We received your report"),
    "dispatch": _l("Passed to %(team)s to deal with"),
    "reassign": _l("Passed to %(team)s to deal with"),  # another team, before any accepted it
    "recall": _l("The office is finding the right team for it"),
    "return": _l("The team could not take it on: we are finding another"),
    "accept": _l("%(team)s took on the job"),
    "start": _l("A worker is on the way"),
    "arrive": _l("A worker has arrived"),
    "visit": _l("Visit %(n)d: a worker came to look and to fix it"),
    "revisit": _l("Another visit is needed"),
    "extend": _l("The job needs more time: its deadline was extended"),
    "park": _l("On hold until the work can be done"),
    "resume": _l("The work has started again"),
    "handle": _l("The team has finished: the community office will check it"),
    "verify_pass": _l("The community office checked the work on site"),
    "verify_fail": _l("The community office checked it: not solved yet, the work goes on"),
    "close": _l("Done: the case is closed"),
    "reopen": _l("Not solved to your satisfaction: the work starts again"),
    "void": _l("Closed without a separate job: ask the community office if in doubt"),
    "settle_by_event": _l("Solved by a community event"),
    "notice": _l("The neighbours affected were given a notice"),
}
JOINED = _l("Joined to an earlier report")
SOME_TEAM = _l("a service team")
YOUR_ANSWER = _l("Your answer: %(answer)s")
