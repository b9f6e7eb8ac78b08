"""The dashboard's URL map: the page, its charts, the month's rates as XLSX."""

from flask import Blueprint

from coordinator.dashboard import routes

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

bp.add_url_rule("/", view_func=routes.index)
bp.add_url_rule("/charts/<name>.svg", view_func=routes.chart)
bp.add_url_rule("/<month>.xlsx", view_func=routes.month_xlsx)
