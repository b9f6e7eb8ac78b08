"""The board as a file (/cases.csv, /cases.xlsx): every case of the board's filters, one row
each, with the columns a duty desk works from, in the reader's language and Beijing time.

The rows are read by queries.export_rows (the board's own conditions, EXPORT_BATCH rows at a
time) and written by coordinator.exports.files (csv_stream, xlsx_stream: no cell becomes a
formula, the file is streamed). The reporter's phone is masked for every reader (ui.mask_phone):
a number is revealed one case at a time on the case page, where it is logged (services.
reveal_phone); a list of residents' numbers leaves the office with nobody.
"""

import logging
from datetime import UTC, datetime, timedelta

from coordinator.cases import queries, workflow
from coordinator.cases.models import CHANNELS, TIER_SHORT
from coordinator.categories import category_labels
from coordinator.exports import files
from coordinator.i18n import LOCAL, gettext, local_date, per_language, translated
from coordinator.i18n import lazy_gettext as _l
from coordinator.ui import mask_phone

log = logging.getLogger(__name__)

COLUMNS = [
    _l("Case no."),
    _l("Logged"),
    _l("Channel"),
    _l("12345 ticket number"),
    _l("Category"),
    _l("Urgency"),
    _l("Community"),
    _l("Compound"),
    _l("Building"),
    _l("Entrance"),
    _l("Floor"),
    _l("Door or household"),
    _l("Reporter"),
    _l("Phone"),
    _l("Problem described"),
    _l("Status"),
    _l("Team"),
    _l("Dispatched at"),
    _l("Accepted at"),
    _l("Deadline"),
    _l("Handed over at"),
    _l("Closed at"),
    _l("Overdue?"),
]
WIDTHS = (8, 17, 10, 16, 12, 8, 14, 16, 8, 8, 6, 10, 8, 13, 40, 10, 20, 17, 17, 17, 17, 17, 8)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(fmt: str, now: datetime) -> str:
    """cases-2026-12-01.csv: named by the day in Beijing."""
    return f"cases-{local_date(now).isoformat()}.{fmt}"


@per_language
def _words() -> dict:
    """The labels every row looks up, in the reader's language, once per language."""
    statuses = {code: str(label) for code, (label, _tone) in workflow.STATUSES.items()}
    return {
        "header": [str(label) for label in COLUMNS],
        "channels": translated(CHANNELS),
        "categories": dict(category_labels()),
        "tiers": translated(TIER_SHORT),
        "statuses": statuses,
        "yes": gettext("Yes"),
        "no": gettext("No"),
    }


def header() -> list[str]:
    return _words()["header"]


def _beijing_times(fmt: str):
    """Stored UTC → Beijing wall time for a million timestamps, as text for CSV (2026-11-26
    14:30, sortable) or as a naive datetime for an XLSX date cell (Excel keeps no zone), to
    the minute. The zone's offset is looked up once per UTC calendar day; a day with a change
    of offset (none in Beijing since 1991) is converted moment by moment."""
    offsets = {}

    def offset(dt: datetime) -> timedelta:
        day = dt.date()
        found = offsets.get(day)
        if found is None:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            first = start.astimezone(LOCAL).utcoffset()
            last = (start + timedelta(days=1, microseconds=-1)).astimezone(LOCAL).utcoffset()
            if first != last:
                return dt.replace(tzinfo=UTC).astimezone(LOCAL).utcoffset()
            found = offsets[day] = first
        return found

    if fmt == "csv":

        def text(dt: datetime | None) -> str:
            if dt is None:
                return ""
            return (dt + offset(dt)).isoformat(" ", "minutes")

        return text

    def cell(dt: datetime | None) -> datetime | None:
        if dt is None:
            return None
        return (dt + offset(dt)).replace(second=0, microsecond=0)

    return cell


def rows(actor, filters: dict, now: datetime, fmt: str):
    """The file's rows (lists of cells in COLUMNS' order) for the board's filters in the
    actor's scope, newest first; times as text for CSV, as date cells for XLSX.

    Everything per row is a dict lookup or a few string operations: the words and the names
    of every team and place are looked up once (queries.place_names), before the first row."""
    words = _words()
    names = queries.place_names()
    teams, communities = names["team"], names["community"]
    compounds, buildings, entrances = names["compound"], names["building"], names["entrance"]
    channels, categories, tiers = words["channels"], words["categories"], words["tiers"]
    statuses, yes, no = words["statuses"], words["yes"], words["no"]
    on_the_clock = workflow.ON_THE_CLOCK
    when = _beijing_times(fmt)
    for (
        case_id,
        created_at,
        channel,
        ticket,
        category,
        tier,
        community_id,
        compound_id,
        building_id,
        entrance_id,
        floor,
        household,
        reporter,
        phone,
        description,
        status,
        team_id,
        dispatched_at,
        accepted_at,
        due_at,
        handled_at,
        closed_at,
    ) in queries.export_rows(actor, filters, now):
        overdue = status in on_the_clock and due_at is not None and due_at < now
        yield [
            case_id,
            when(created_at),
            channels.get(channel, channel),
            ticket,
            categories.get(category, category),
            tiers.get(tier, tier),
            communities.get(community_id, ""),
            compounds.get(compound_id, ""),
            buildings.get(building_id, ""),
            entrances.get(entrance_id, ""),
            floor,
            household,
            reporter,
            mask_phone(phone),
            description,
            statuses.get(status, status),
            teams.get(team_id, ""),
            when(dispatched_at),
            when(accepted_at),
            when(due_at),
            when(handled_at),
            when(closed_at),
            yes if overdue else no,
        ]


def stream(actor, filters: dict, fmt: str, now: datetime, args: dict):
    """The file's bytes, in chunks, as the rows are read; when it ends (or the download
    stops) one log line says who took which filter and how many rows."""
    counted = _Counter(rows(actor, filters, now, fmt))
    try:
        if fmt == "csv":
            yield from files.csv_stream(header(), counted)
        else:
            yield from files.xlsx_stream(header(), counted, gettext("Cases"), WIDTHS)
    finally:
        log.info(
            "case export: user %s (%s) took %s rows as %s, filter %s%s",
            actor.id,
            actor.role,
            counted.count,
            fmt,
            args,
            "" if counted.done else " (stopped before the end)",
        )


class _Counter:
    """Passes the rows on, counting them (for the log line)."""

    def __init__(self, rows):
        self.rows, self.count, self.done = rows, 0, False

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row
        self.done = True
