"""The dispatch board (/cases): the office's list of cases, its filters, refreshing itself."""

from flask import current_app, request, url_for
from flask_login import current_user

from coordinator.access import OFFICE, allow
from coordinator.cases import queries
from coordinator.i18n import translated
from coordinator.paging import page_number
from coordinator.rendering import render


def board_context():
    """Everything the board needs; the page and its htmx fragment share it."""
    values, shown = queries.parse_board_filters(request.args)
    return {
        "shown": shown,
        "filters": queries.board_filter_rows(current_user, values, request.args),
        "labels": queries.board_labels(),
        "places": [
            (key, place_id, name, _without(key))
            for key, place_id, name in queries.board_places(values)
        ],
        "filter_labels": translated(queries.FILTER_LABELS),
        "more_filters": any(key not in ("q", "status", "page") for key in request.args),
        **queries.board(current_user, values, page_number(), current_app.config["PER_PAGE"]),
    }


def _without(key: str) -> str:
    """This board address without one filter (a place chip's ×)."""
    args = {k: v for k, v in request.args.items(multi=True) if k not in (key, "page")}
    return url_for("cases.board", **args)


@allow(OFFICE)
def board():
    return render("cases/board.html", **board_context())
