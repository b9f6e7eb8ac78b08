"""Abandoned-bike drives: the bike register, claims, recycling; and campaigns across compounds.

blueprint.py is the URL map; queries.py the reads (one scope rule, `visible`); services.py the
use cases (one unit of work each); models.py the tables.
"""

from coordinator.i18n import calendar_day


def init_app(app):
    from coordinator.bikes.queries import may_view_bike
    from coordinator.uploads import register_viewer

    register_viewer("bike", may_view_bike)
    app.jinja_env.filters["calendar_day"] = calendar_day


from coordinator.bikes import models  # noqa: E402,F401  (tables known to migrations)
