"""Every string of the events domain has Chinese, and Chinese is what people see first."""

from babel.messages.pofile import read_po

from coordinator.config import ROOT
from coordinator.core.i18n import extract
from tests.events.conftest import make_event

CATALOG = ROOT / "coordinator" / "events" / "translations"


def test_every_events_string_has_chinese():
    with (CATALOG / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="zh")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}
    source = extract(CATALOG)
    missing = sorted(k if isinstance(k, str) else k[0] for k in source
                     if not translated.get(k if isinstance(k, str) else k[0]))
    assert missing == []


def test_event_page_reads_in_chinese(app, client, auth, make):
    volunteer = make.user("volunteer")
    event = make_event(roles=(("搬运", 3),))
    make.commit()
    auth.login(volunteer)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "报名" in html and "0/3" in html and "Sign up" not in html
