"""The bike drives' URL map: the register, claims, recycling and handover, the notice and tags,
and the owner's claim page (repeating a drive is a campaign: campaigns/)."""

from flask import Blueprint

from coordinator.bikes import routes

bp = Blueprint("bikes", __name__)

DRIVE = "/events/<int:event_id>"
POST, FORM = ["POST"], ["GET", "POST"]

bp.add_url_rule("/bikes", view_func=routes.index)
bp.add_url_rule(f"{DRIVE}/bikes", view_func=routes.register)
bp.add_url_rule(f"{DRIVE}/bikes", view_func=routes.add_bike, methods=POST)
bp.add_url_rule(
    f"{DRIVE}/bikes/claims/<int:claim_id>/confirm", view_func=routes.confirm_claim, methods=POST
)
bp.add_url_rule(
    f"{DRIVE}/bikes/claims/<int:claim_id>/reject", view_func=routes.reject_claim, methods=POST
)
bp.add_url_rule(f"{DRIVE}/bikes/recycle", view_func=routes.move_to_recycle, methods=POST)
bp.add_url_rule(f"{DRIVE}/bikes/handover", view_func=routes.handover, methods=POST)
bp.add_url_rule(f"{DRIVE}/bikes/notice", view_func=routes.notice)
bp.add_url_rule(f"{DRIVE}/bikes/tags", view_func=routes.tags)
bp.add_url_rule("/claim/<code>", view_func=routes.claim, methods=FORM)
