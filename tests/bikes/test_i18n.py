"""Chinese is what people see first (every string's translation: tests/core/test_i18n.py)."""

from coordinator.extensions import db


def test_claim_page_reads_in_chinese(client, drives):
    event = drives.drive()
    db.session.commit()
    html = client.get(f"/claim/{event.id}").get_data(as_text=True)
    assert "认领自行车" in html and "标签编号" in html and "Claim your bike" not in html
