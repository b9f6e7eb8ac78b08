"""The streamed writers of exports/files.py keep the one cell rule of csv_cell and _put."""

import csv
import io
import sys

from openpyxl import load_workbook

from coordinator.exports import files

TEXTS = [
    "",
    " ",
    "普通的事",
    "=1+1",
    "＝1+1",
    "+86 139",
    "-2",
    "@SUM(A1)",
    "＠x",
    "\t=1",
    "\r\n",
    "\u3000=1",
    "\u00a0+1",
    " \u2003@x",
    "  text",
    "#REF!",
    "'quoted",
    "0123",
]
VALUES = [*TEXTS, None, 0, 7, 2.5, True]


def test_every_character_lstrip_strips_is_a_maybe_start():
    spaces = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert spaces <= files.MAYBE_FORMULA_STARTS
    assert files.FORMULA_STARTS <= files.MAYBE_FORMULA_STARTS


def test_csv_stream_writes_what_csv_cell_writes():
    rows = [[v] for v in VALUES]
    streamed = b"".join(files.csv_stream(["h"], rows))
    assert streamed == files.to_csv(["h"], rows)
    read = list(csv.reader(io.StringIO(streamed.decode("utf-8-sig"))))
    assert [r[0] for r in read[1:]] == [str(files.csv_cell(v)) for v in VALUES]


def test_csv_stream_comes_in_chunks():
    rows = [["下水道反水" * 20] for _ in range(2000)]
    chunks = list(files.csv_stream(["h"], rows))
    assert len(chunks) > 3 and all(len(c) < 3 * files.CHUNK for c in chunks)
    assert chunks[0].startswith("\ufeff".encode())


def test_xlsx_stream_keeps_text_as_text():
    # (Not "\r\n": XML reads any line end back as "\n", in the normal writer's files too.)
    texts = [v for v in TEXTS if v and v != "\r\n"]
    body = b"".join(files.xlsx_stream(["列"], [[v] for v in texts], "诉求/列表"))
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "诉求列表"
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # Control characters are dropped (the file's XML cannot hold them), as _put does.
    expected = [files.ILLEGAL_CHARACTERS_RE.sub("", v) for v in texts]
    assert [c.value for c in cells] == expected
    for cell in cells:
        assert cell.data_type == "s"
        assert bool(cell.quotePrefix) == files.formula_like(cell.value)


def test_xlsx_stream_goes_on_in_another_sheet_past_excels_rows(monkeypatch):
    monkeypatch.setattr(files, "MAX_SHEET_ROWS", 3)  # header + 2 rows a sheet
    body = b"".join(files.xlsx_stream(["n"], [[i] for i in range(5)], "诉求"))
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["诉求", "诉求 (2)", "诉求 (3)"]
    values = [[c.value for c in row] for sheet in book for row in sheet.iter_rows()]
    assert values == [["n"], [0], [1], ["n"], [2], [3], ["n"], [4]]
