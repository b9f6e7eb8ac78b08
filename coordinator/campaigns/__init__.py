"""Campaigns (专项行动): one case, hot spot or event turned into work across a class of places.

models.py holds the campaign, its targets (one per compound, with its case or event) and the
links of cases to the events that handle them; targets.py chooses compounds by attribute (the
one rule plans and warnings use too); services.py launches a campaign's work in one unit of
work and closes it when the work is done; queries.py reads the list and the progress page.
"""


def init_app(app):
    from coordinator.campaigns import services, ui
    from coordinator.cases import signals as case_signals
    from coordinator.events import signals as event_signals

    case_signals.case_moved.connect(services.case_moved, weak=False)
    event_signals.event_moved.connect(services.event_moved, weak=False)
    ui.register(app)


from coordinator.campaigns import models  # noqa: E402,F401  (tables known to migrations)
