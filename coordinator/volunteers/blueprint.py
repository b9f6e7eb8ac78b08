"""The URL map of volunteers: joining, my hours, the service records and their files."""

from flask import Blueprint

from coordinator.volunteers import routes

bp = Blueprint("volunteers", __name__)

bp.add_url_rule("/volunteer/join", view_func=routes.join, methods=["GET", "POST"])
bp.add_url_rule("/me/hours", view_func=routes.my_hours)
bp.add_url_rule("/me/calendar", view_func=routes.my_calendar, methods=["POST"])
bp.add_url_rule("/feeds/<token>.ics", view_func=routes.my_feed)
bp.add_url_rule("/events/records", view_func=routes.records)
bp.add_url_rule("/events/records.<any(csv, xlsx):fmt>", view_func=routes.records_file)
bp.add_url_rule("/events/records/full", view_func=routes.records_full, methods=["POST"])
