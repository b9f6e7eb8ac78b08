from datetime import timedelta

import pytest

from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications import services
from coordinator.notifications.models import FAILED, PENDING, SENT, OutboxMessage


@pytest.fixture
def admin(make):
    user = make.user("admin")
    make.commit()
    return user


def failed_message(body="坏消息") -> OutboxMessage:
    message = services.queue("case_overdue", "13800138000", body, channel="sms")
    message.status, message.attempts, message.last_error = FAILED, 8, "ConnectionError('down')"
    message.next_attempt_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    return message


def test_admin_sees_the_outbox_with_status_words_and_masked_phones(client, auth, admin):
    failed_message()
    services.queue("case_dispatched", "13900139000", "已派单", channel="sms")
    db.session.commit()
    auth.login(admin)
    response = client.get("/outbox")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in html
    assert "坏消息" in html and "已派单" in html
    assert "ConnectionError" in html
    assert "13800138000" not in html  # phone numbers shown masked
    assert 'class="badge badge-red"' in html


def test_status_filter_as_htmx_fragment(client, auth, admin):
    failed_message("失败的")
    services.queue("case_dispatched", "13900139000", "等待的", channel="sms")
    db.session.commit()
    auth.login(admin)
    response = client.get(
        "/outbox?status=failed", headers={"HX-Request": "true", "HX-Target": "outbox_list"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<h1>" not in html
    assert "失败的" in html and "等待的" not in html


def test_outbox_pages_with_constant_queries(client, auth, admin, count_queries):
    for i in range(30):
        services.queue("x", "13800138000", f"消息{i}", channel="log")
    db.session.commit()
    auth.login(admin)
    with count_queries() as first:
        html = client.get("/outbox").get_data(as_text=True)
    assert 'rel="next"' in html and "消息29" in html and "消息4<" not in html
    with count_queries() as second:
        html = client.get("/outbox?page=2").get_data(as_text=True)
    assert "消息4" in html and 'rel="prev"' in html
    assert first.count == second.count


@pytest.mark.parametrize("role", ["staff", "lead", "worker", "volunteer", "resident"])
def test_only_admins_may_open_the_outbox(client, auth, make, role):
    user = make.user(role)
    make.commit()
    auth.login(user)
    assert client.get("/outbox").status_code == 403
    assert client.post("/outbox/1/retry").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/outbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_retry_now_puts_the_message_back_in_line(client, auth, admin):
    message = failed_message()
    auth.login(admin)
    response = client.post(f"/outbox/{message.id}/retry?status=failed")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/outbox?status=failed")
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, message.id)
    assert (stored.status, stored.attempts) == (PENDING, 0)


def test_retry_now_from_htmx_returns_the_list(client, auth, admin):
    message = failed_message()
    auth.login(admin)
    response = client.post(
        f"/outbox/{message.id}/retry", headers={"HX-Request": "true", "HX-Target": "outbox_list"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "badge-blue" in html  # waiting again


def test_retry_of_a_sent_message_is_409_and_unknown_is_404(client, auth, admin):
    message = services.queue("x", "x", "x", channel="log")
    db.session.commit()
    services.deliver_due()
    auth.login(admin)
    response = client.post(f"/outbox/{message.id}/retry")
    assert response.status_code == 409
    assert client.post("/outbox/999999/retry").status_code == 404
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == SENT


def test_retry_needs_the_csrf_token(web_app, client, auth, admin, monkeypatch):
    message = failed_message()
    auth.login(admin)
    monkeypatch.setitem(web_app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/outbox/{message.id}/retry").status_code == 400
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == FAILED


def test_retry_pressed_twice_at_once_puts_the_message_back_once(live, admin):
    """Two presses at once: each either puts it back or hears 409 (the write is conditional on
    the status and claim it read), never a 500; the message then goes out exactly once."""
    message = failed_message()
    db.session.commit()
    message_id = message.id
    path = f"/outbox/{message_id}/retry"  # read here: the threads have no app context
    cookies = [live.login(admin.phone) for _ in range(2)]
    answers = live.burst(2, lambda i: live.post(path, cookie=cookies[i]))
    assert 302 in [a.status for a in answers] and set(a.status for a in answers) <= {302, 409}
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, message_id)
    assert (stored.status, stored.attempts, stored.claimed_by) == (PENDING, 0, "")
    first, second = services.deliver_due(), services.deliver_due()
    assert (first.sent, second.sent) == (1, 0)
