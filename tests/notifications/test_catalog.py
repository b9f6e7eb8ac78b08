"""The outbox in Chinese (every string's translation: tests/core/test_i18n.py)."""


def test_outbox_page_speaks_chinese(client, auth, make):
    admin = make.user("admin")
    make.commit()
    auth.login(admin)
    html = client.get("/outbox").get_data(as_text=True)
    assert "发件箱" in html and "这里没有消息。" in html
