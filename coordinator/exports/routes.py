"""The exports' views (their URLs: blueprint.py)."""

from flask import current_app

from coordinator.access import ADMIN, allow
from coordinator.exports import queries
from coordinator.paging import page_number
from coordinator.places.queries import all_community_choices
from coordinator.rendering import render


@allow(ADMIN)
def log():
    """Every full export: who, when, for what purpose, with which filter."""
    page = queries.export_log_page(page_number(), current_app.config["PER_PAGE"])
    return render("exports/log.html", page=page, communities=dict(all_community_choices()))
