import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from coordinator.extensions import db
from coordinator.i18n import utcnow
from coordinator.notifications import senders, services
from coordinator.notifications.models import FAILED, PENDING, SENDING, SENT, OutboxMessage
from coordinator.rules import Refused


def all_messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.fixture
def sent_log(monkeypatch):
    """A recording sender on every built-in channel name used here."""
    sent = []
    monkeypatch.setitem(senders.SENDERS, "log", lambda m: sent.append((m.id, m.body)))
    return sent


def test_queue_in_a_rolled_back_transaction_leaves_nothing(app):
    services.queue("case_dispatched", "13800138000", "派单")
    db.session.flush()
    db.session.rollback()
    assert all_messages() == []


def test_committed_message_is_delivered_and_marked_sent(app, sent_log):
    message = services.queue(
        "case_dispatched", "ops", "工单已派出", channel="log", about=("case", 3)
    )
    db.session.commit()
    run = services.deliver_due()
    assert (run.sent, run.retrying, run.failed) == (1, 0, 0)
    assert sent_log == [(message.id, "工单已派出")]
    [stored] = all_messages()
    assert stored.status == SENT and stored.sent_at is not None and stored.attempts == 1
    assert (stored.subject_type, stored.subject_id) == ("case", 3)
    assert services.deliver_due().claimed == 0  # never sent twice


def test_log_sender_writes_to_the_app_log(app, caplog):
    services.queue("event_reminder", "13800138000", "明天上午九点集合", channel="log")
    db.session.commit()
    with caplog.at_level("INFO"):
        services.deliver_due()
    assert "明天上午九点集合" in caplog.text
    assert all_messages()[0].status == SENT


def test_sms_goes_through_the_configured_gateway(app, monkeypatch, caplog):
    # The default SmsSender only logs; SMS_SENDER swaps in a gateway by dotted path.
    app.extensions.pop("sms_sender", None)
    monkeypatch.setitem(app.config, "SMS_SENDER", "tests.notifications.gateway:RecordingSms")
    from tests.notifications.gateway import RecordingSms

    RecordingSms.sent.clear()
    services.queue("case_link", "13800138000", "您的工单链接")
    db.session.commit()
    try:
        services.deliver_due()
    finally:
        app.extensions.pop("sms_sender", None)
    assert RecordingSms.sent == [("13800138000", "您的工单链接")]
    assert all_messages()[0].status == SENT

    services.queue("case_link", "13900139000", "默认网关")
    db.session.commit()
    with caplog.at_level("INFO"):
        monkeypatch.setitem(app.config, "SMS_SENDER", "")
        services.deliver_due()
    app.extensions.pop("sms_sender", None)
    assert "SMS to 13900139000" in caplog.text


def test_send_at_holds_a_message_back_until_it_is_due(app, sent_log):
    later = utcnow() + timedelta(days=1)
    message = services.queue("event_reminder", "x", "明天见", channel="log", send_at=later)
    db.session.commit()
    assert services.deliver_due().claimed == 0
    assert all_messages()[0].status == PENDING
    message.next_attempt_at = utcnow() - timedelta(seconds=1)  # the day has come
    db.session.commit()
    assert services.deliver_due().sent == 1
    assert sent_log == [(message.id, "明天见")]


def test_failing_sender_is_retried_with_backoff_then_failed_never_lost(app, monkeypatch):
    calls = []

    def broken(message):
        calls.append(message.id)
        raise ConnectionError("gateway down")

    monkeypatch.setitem(senders.SENDERS, "flaky", broken)
    services.queue("case_overdue", "x", "超时", channel="flaky")
    db.session.commit()
    waits = []
    for attempt in range(1, 8):
        before = utcnow()
        run = services.deliver_due()
        assert run.retrying == 1
        [m] = all_messages()
        assert (m.status, m.attempts) == (PENDING, attempt)
        assert "gateway down" in m.last_error
        waits.append(round((m.next_attempt_at - before).total_seconds()))
        assert services.deliver_due().claimed == 0  # not due again before the backoff
        m.next_attempt_at = utcnow() - timedelta(seconds=1)  # time passes
        db.session.commit()
    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    assert services.deliver_due().failed == 1
    [m] = all_messages()
    assert (m.status, m.attempts) == (FAILED, 8)
    assert len(calls) == 8
    assert services.deliver_due().claimed == 0  # failed stays failed, and stays visible


def test_unknown_channel_is_an_error_that_is_retried(app):
    services.queue("x", "x", "x", channel="carrier-pigeon")
    db.session.commit()
    assert services.deliver_due().retrying == 1
    assert "carrier-pigeon" in all_messages()[0].last_error


def test_a_worker_that_died_mid_send_leaves_the_message_to_the_next_one(app, sent_log):
    services.queue("x", "x", "抢修", channel="log")
    db.session.commit()
    token, ids = services.claim_due()  # claimed... and the worker dies here
    [m] = all_messages()
    assert m.status == SENDING and m.claimed_by == token
    assert services.deliver_due().claimed == 0  # the lease still holds
    m.next_attempt_at = utcnow() - timedelta(seconds=1)  # the lease ran out
    db.session.commit()
    assert services.deliver_due().sent == 1
    [m] = all_messages()
    assert (m.status, m.attempts, m.claimed_by) == (SENT, 2, "")
    # The dead worker's late word changes nothing.
    services._finish(ids[0], token, status=FAILED)
    assert all_messages()[0].status == SENT


def test_retry_now_puts_a_failed_message_back_with_fresh_attempts(app):
    message = services.queue("x", "x", "x", channel="log")
    message.status, message.attempts, message.last_error = FAILED, 8, "boom"
    message.next_attempt_at = utcnow() - timedelta(days=1)
    db.session.commit()
    services.retry_now(message.id)
    [m] = all_messages()
    assert (m.status, m.attempts, m.last_error) == (PENDING, 0, "boom")
    assert services.deliver_due().sent == 1


def test_retry_now_refuses_a_sent_message_and_ignores_unknown_ids(app):
    message = services.queue("x", "x", "x", channel="log")
    db.session.commit()
    services.deliver_due()
    with pytest.raises(Refused) as refused:
        services.retry_now(message.id)
    assert refused.value.status == 409
    assert services.retry_now(999999) is None
    assert all_messages()[0].status == SENT


def test_email_sender_logs_instead_when_mail_server_unset(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    services.queue("x", "li@example.com", "正文", channel="email", subject="主题")
    db.session.commit()
    with caplog.at_level("INFO"):
        assert services.deliver_due().sent == 1
    assert "MAIL_SERVER unset" in caplog.text


def test_email_sender_speaks_smtp_with_mail_settings(app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user, password))

        def send_message(self, mail):
            sent.append(("send", mail["To"], mail["Subject"], mail.get_content().strip()))

    monkeypatch.setattr(senders.smtplib, "SMTP", FakeSMTP)
    for key, value in {
        "MAIL_SERVER": "smtp.example.com",
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": "u",
        "MAIL_PASSWORD": "p",
        "MAIL_DEFAULT_SENDER": "noreply@example.com",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    services.queue("x", "li@example.com", "您的报修已处理", channel="email", subject="报修进度")
    db.session.commit()
    assert services.deliver_due().sent == 1
    assert sent == [
        ("connect", "smtp.example.com", 587),
        ("starttls",),
        ("login", "u", "p"),
        ("send", "li@example.com", "报修进度", "您的报修已处理"),
    ]


def _claim_in_thread(app, results, errors, barrier):
    with app.app_context():
        try:
            barrier.wait()
            while True:
                _token, ids = services.claim_due(limit=3)
                if not ids:
                    break
                results.append(ids)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            db.session.remove()


def test_concurrent_claimers_never_get_the_same_message(app):
    for i in range(60):
        services.queue("x", "x", f"m{i}", channel="log")
    db.session.commit()
    results, errors = [], []
    barrier = threading.Barrier(6)
    threads = [
        threading.Thread(target=_claim_in_thread, args=(app, results, errors, barrier))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    claimed = [i for ids in results for i in ids]
    assert len(claimed) == len(set(claimed)) == 60


def test_postgresql_claim_skips_rows_another_worker_has_locked(app):
    if db.engine.dialect.name != "postgresql":
        # SQLite has one writer at a time: the claim is a single conditional UPDATE, checked by
        # the concurrent test above and by this one (a claimed row is not claimable again).
        services.queue("x", "x", "a", channel="log")
        db.session.commit()
        first = services.claim_due()[1]
        assert first and services.claim_due()[1] == []
        return
    for i in range(4):
        services.queue("x", "x", f"m{i}", channel="log")
    db.session.commit()
    ids = [m.id for m in all_messages()]
    db.session.rollback()
    with db.engine.connect() as other:
        # Another worker is mid-claim: it holds row locks on the first two due messages.
        locked = (
            other.execute(
                text(
                    "SELECT id FROM outbox_messages WHERE status = 'pending' ORDER BY id LIMIT 2 "
                    "FOR UPDATE"
                )
            )
            .scalars()
            .all()
        )
        assert locked == ids[:2]
        # This claim neither waits for them (it would time out) nor takes them.
        db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
        _token, claimed = services.claim_due(limit=10)
        assert claimed == ids[2:]
        other.rollback()
    assert services.claim_due(limit=10)[1] == ids[:2]
