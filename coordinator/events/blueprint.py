"""The URL map of events: the list, an event's page, planning it, its steps and its calendars."""

from flask import Blueprint

from coordinator.events import routes

bp = Blueprint("events", __name__)

bp.add_url_rule("/events", view_func=routes.index)
bp.add_url_rule("/events/new", view_func=routes.new, methods=["GET", "POST"])
bp.add_url_rule("/events/<int:event_id>", view_func=routes.detail)
bp.add_url_rule("/events/<int:event_id>/edit", view_func=routes.edit, methods=["GET", "POST"])
bp.add_url_rule("/events/<int:event_id>/publish", view_func=routes.publish, methods=["POST"])
bp.add_url_rule("/events/<int:event_id>/start", view_func=routes.start, methods=["POST"])
bp.add_url_rule("/events/<int:event_id>/finish", view_func=routes.finish, methods=["POST"])
bp.add_url_rule("/events/<int:event_id>/cancel", view_func=routes.cancel, methods=["GET", "POST"])
bp.add_url_rule("/events/<int:event_id>.ics", view_func=routes.event_ics)
bp.add_url_rule("/events/calendar.ics", view_func=routes.calendar)
