"""The campaigns' URL map: the list, making one (with its live count), a campaign's page and a
compound's found / not found; a case handled by an event; the old "repeat this drive"."""

from flask import Blueprint

from coordinator.campaigns import routes

bp = Blueprint("campaigns", __name__)

POST, FORM = ["POST"], ["GET", "POST"]

bp.add_url_rule("/campaigns", view_func=routes.index)
bp.add_url_rule("/campaigns/new", view_func=routes.new, methods=FORM)
bp.add_url_rule("/campaigns/new/count", view_func=routes.count)
bp.add_url_rule("/campaigns/<int:campaign_id>", view_func=routes.detail)
bp.add_url_rule(
    "/campaigns/<int:campaign_id>/targets/<int:target_id>/found",
    view_func=routes.mark_found,
    methods=POST,
)
bp.add_url_rule("/cases/<int:case_id>/handled-by", view_func=routes.link_event, methods=POST)
bp.add_url_rule("/events/<int:event_id>/repeat", view_func=routes.repeat_drive)
