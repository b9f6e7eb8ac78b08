"""Service records as CSV and XLSX: one row per person per event with recorded hours.

The rows are read by volunteers.queries.rows; the columns are those of DOMAIN.md ("Volunteers'
service records"). This is the organiser's service record summary, not an official certificate,
and nothing here calls it one. The files are written by coordinator.exports.files (no cell
becomes a formula); ID numbers are masked unless an admin asked for them in full for an
official purpose (exports.services).
"""

from coordinator.exports import files
from coordinator.i18n import lazy_gettext as _l

COLUMNS = [
    _l("Name"),
    _l("ID type"),
    _l("ID number"),
    _l("Volunteer number"),
    _l("Activity"),
    _l("Date"),
    _l("Venue"),
    _l("Content"),
    _l("Check-in"),
    _l("Check-out"),
    _l("Hours"),
    _l("Organiser"),
    _l("Confirmed by"),
]


WIDTHS = (10, 14, 22, 16, 24, 12, 28, 30, 17, 17, 8, 10, 10)


EXPORT = "service_records"  # its name in the log of full exports


def to_csv(records: list[list]) -> bytes:
    return files.to_csv(COLUMNS, records)


def to_xlsx(records: list[list], title: str) -> bytes:
    return files.to_xlsx(COLUMNS, records, title, WIDTHS)
