"""Chinese is what people see first (every string's translation: tests/core/test_i18n.py)."""

from tests.events.conftest import make_event


def test_event_page_reads_in_chinese(app, client, auth, make):
    volunteer = make.user("volunteer")
    event = make_event(roles=(("搬运", 3),))
    make.commit()
    auth.login(volunteer)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "报名" in html and "0/3" in html and "Sign up" not in html
