"""Paging without COUNT(*): fetch one row more than a page to know whether there is a next one.

A count over a million rows costs more than the page itself, and nobody pages to the end.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request
from sqlalchemy import Select

from coordinator.extensions import db


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    def url(self, number: int) -> str:
        """This list's address with another page number, every other filter kept.

        Built from the request's own path (every pager sits on its list's own route):
        cheaper than url_for, and a filter given twice (?skill=a&skill=b) stays twice."""
        args = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
        return f"{request.script_root}{request.path}?{urlencode([*args, ('page', number)])}"


def page_number() -> int:
    n = request.args.get("page", 1, type=int) or 1
    return min(max(n, 1), 100_000)


def read_rows(stmt, params: dict | None = None):
    """Rows of a read-only column query, from the session's connection: a third of the time of
    Session.execute, whose ORM result machinery a list of plain columns does not need. Nothing
    is flushed first, so use it only where the request has changed nothing yet."""
    return db.session.connection().execute(stmt, params or {})


def paginate(stmt: Select, number: int, per_page: int, scalars: bool = True) -> Page:
    rows = db.session.execute(stmt.limit(per_page + 1).offset((number - 1) * per_page))
    items = list(rows.scalars() if scalars else rows)
    return Page(items[:per_page], number, per_page, len(items) > per_page)
