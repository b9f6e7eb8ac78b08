"""A list's filters: the one way to turn choices and the query string into drop-down rows.

Every list (the board, teams, events, people, the outbox, the records) reads its filters from the
query string and shows them with the `ui.filter_select` macro. A filter value that is not one of
the choices is dropped (the list unfiltered), never an error page. WTForms is not used for a
list's filters: its form, validation and widgets cost more than a page of rows (bench/README.md).
"""

from collections.abc import Iterable


def chosen(rows: Iterable[tuple], raw: str | None) -> str:
    """The query string's value when it is one of the choices' values, else ""."""
    if raw is None or raw == "":
        return ""
    return raw if any(str(value) == raw for value, _label in rows) else ""


def options(rows: Iterable[tuple], current) -> list[tuple[str, str, bool]]:
    """(value, label, selected) rows for `ui.filter_select`: a row is selected when its value
    is the current one (compared as text; nothing is selected when current is None)."""
    current = None if current is None else str(current)
    return [
        (str(value), label, current is not None and str(value) == current) for value, label in rows
    ]


def like_pattern(text: str) -> str:
    """A LIKE pattern (with escape="\\") that finds text anywhere: a search for "100%" or
    "a_b" means those characters, not LIKE's wildcards (the teams' and the places' searches)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
