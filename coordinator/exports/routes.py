from flask import current_app

from coordinator.access import ADMIN, allow
from coordinator.exports import bp, services
from coordinator.paging import page_number
from coordinator.places.services import all_community_choices
from coordinator.rendering import render


@bp.get("/log")
@allow(ADMIN)
def log():
    """Every full export: who, when, for what purpose, with which filter."""
    page = services.full_exports(page_number(), current_app.config["PER_PAGE"])
    return render("exports/log.html", page=page, communities=dict(all_community_choices()))
