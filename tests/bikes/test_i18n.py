"""Every string of the bikes domain has Chinese, and Chinese is what people see first."""

from babel.messages.pofile import read_po

from coordinator.config import ROOT
from coordinator.core.i18n import extract
from coordinator.extensions import db

CATALOG = ROOT / "coordinator" / "bikes" / "translations"


def test_every_bikes_string_has_chinese():
    with (CATALOG / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="zh")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}
    missing = sorted(k if isinstance(k, str) else k[0] for k in extract(CATALOG)
                     if not translated.get(k if isinstance(k, str) else k[0]))
    assert missing == []


def test_claim_page_reads_in_chinese(client, drives):
    event = drives.drive()
    db.session.commit()
    html = client.get(f"/claim/{event.id}").get_data(as_text=True)
    assert "认领自行车" in html and "标签编号" in html and "Claim your bike" not in html
