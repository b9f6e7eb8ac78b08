import pytest
from babel.messages.pofile import read_po

from coordinator.config import ROOT


@pytest.mark.parametrize("domain", ["notifications", "uploads"])
def test_every_string_has_chinese(domain):
    with open(ROOT / "coordinator" / domain / "translations/zh/LC_MESSAGES/messages.po",
              "rb") as f:
        catalog = read_po(f, locale="zh")
    ids = [m.id for m in catalog if m.id]
    assert ids
    assert [m.id for m in catalog if m.id and (not m.string or m.fuzzy)] == []


def test_outbox_page_speaks_chinese(client, auth, make):
    admin = make.user("admin")
    make.commit()
    auth.login(admin)
    html = client.get("/outbox").get_data(as_text=True)
    assert "发件箱" in html and "这里没有消息。" in html
