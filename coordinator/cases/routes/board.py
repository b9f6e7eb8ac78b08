"""The dispatch board (/cases): the office's list of cases, its filters, refreshing itself;
and the same cases as a file (/cases.csv, /cases.xlsx)."""

from urllib.parse import urlencode

from flask import Response, current_app, request, stream_with_context, url_for
from flask_login import current_user

from coordinator.access import OFFICE, allow
from coordinator.cases import export, queries
from coordinator.exports.files import attachment
from coordinator.i18n import translated, utcnow
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
        "files": _file_links(),
        **queries.board(current_user, values, page_number(), current_app.config["PER_PAGE"]),
    }


def _without(key: str) -> str:
    """This board address without one filter (a place chip's ×)."""
    args = {k: v for k, v in request.args.items(multi=True) if k not in (key, "page")}
    return url_for("cases.board", **args)


def _file_links() -> dict[str, str]:
    """The board's address as CSV and XLSX: the same filters (page left out: a file has all;
    and the fields left empty, which the form sends and which choose nothing)."""
    args = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "page" and v])
    base = f"{request.script_root}{request.path}"  # the board's own address (a cheap url_for)
    return {fmt: f"{base}.{fmt}" + (f"?{args}" if args else "") for fmt in export.FORMATS}


@allow(OFFICE)
def board():
    return render("cases/board.html", **board_context())


@allow(OFFICE)
def board_file(fmt: str):
    """Every case of the board's filters (the board's query string), not one page, as CSV or
    XLSX, streamed as it is read (phones masked; see cases/export.py)."""
    values, _shown = queries.parse_board_filters(request.args)
    now = utcnow()
    actor = current_user._get_current_object()
    body = export.stream(actor, values, fmt, now, request.args.to_dict(flat=False))
    return Response(
        stream_with_context(body),
        mimetype=export.FORMATS[fmt],
        headers={
            "Content-Disposition": attachment(export.filename(fmt, now)),
            "Cache-Control": "no-store",
        },
    )
