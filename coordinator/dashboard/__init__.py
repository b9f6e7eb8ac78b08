"""The subdistrict's view: the three rates 三率 per community and month, the cases received,
closed and overdue, on-time % per urgency tier and hours per category, a 12-month trend.

models.py the monthly rows; services.py keeps them (the case signals, freezing, rebuild);
rates.py the arithmetic of DOMAIN.md; queries.py the page's reads; charts.py the SVG;
blueprint.py the URL map; cli.py `flask dashboard freeze|rebuild`. Settings: DASHBOARD_* in
coordinator/config.py.
"""


def init_app(app):
    from coordinator.dashboard import cli, services

    services.connect()
    app.cli.add_command(cli.group)


from coordinator.dashboard import models  # noqa: E402,F401
