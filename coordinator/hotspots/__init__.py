"""Hot spots: where the problems are. Cases per month, place and category (the heat grid),
repeat spots (one building, one category, three times in 90 days), the problems compounds
share and the month's problem candidates (每月一题).

blueprint.py is the URL map; queries.py the page's read model; counts.py and repeats.py keep
the figures on cases.signals.case_opened, in the case's transaction; services.py rebuilds
them from the cases (`flask hotspots rebuild`); periods.py reads the period asked for.
"""


def init_app(app):
    from coordinator.cases import signals
    from coordinator.hotspots import services

    # weak=False: the receiver is a module function, but say it plainly.
    signals.case_opened.connect(services.case_opened, weak=False)


from coordinator.hotspots import models  # noqa: E402,F401
