"""Who carries a message out, by channel. A sender raises on failure; the outbox retries.

Built in: "log" (the app log), "email" (smtplib with MAIL_* settings; logs instead when
MAIL_SERVER is unset) and "sms" (an SmsSender chosen by SMS_SENDER, the log one by default).
Other channels (WeChat, push, …) register with register_sender(channel, fn).
"""

import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from importlib import import_module

from flask import current_app

SENDERS: dict[str, Callable] = {}


def register_sender(channel: str, fn: Callable) -> None:
    """fn(message: OutboxMessage) -> None; raise to have the message retried later."""
    SENDERS[channel] = fn


def sender_for(channel: str) -> Callable:
    try:
        return SENDERS[channel]
    except KeyError:
        raise LookupError(f"no sender for channel {channel!r}") from None


def send_log(message) -> None:
    current_app.logger.info(
        "outbox #%s %s to %s: %s", message.id, message.kind, message.recipient, message.body
    )


def send_email(message) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        current_app.logger.info(
            "MAIL_SERVER unset; e-mail #%s to %s not sent: %s %s",
            message.id,
            message.recipient,
            message.subject,
            message.body,
        )
        return
    mail = EmailMessage()
    mail["From"] = formataddr(
        (
            config["MAIL_SENDER_NAME"],
            config.get("MAIL_DEFAULT_SENDER") or "noreply@localhost",
        )
    )
    mail["To"] = message.recipient
    mail["Subject"] = message.subject or message.body[:60]
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    mail.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(
        config["MAIL_SERVER"],
        int(config.get("MAIL_PORT") or 0),
        timeout=int(config["MAIL_TIMEOUT"]),
    ) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(mail)


class SmsSender:
    """The interface an SMS gateway adapter implements (Aliyun, Tencent Cloud, a modem, …).

    Set SMS_SENDER to its dotted path ("package.module:ClassName"); it is built with the app
    config and must raise on any failure so the outbox retries.
    """

    def __init__(self, config):
        self.config = config

    def send(self, phone: str, body: str) -> None:
        raise NotImplementedError


class LogSmsSender(SmsSender):
    """No gateway: the text goes to the app log, on standard error at LOG_LEVEL INFO: the
    terminal of `make run` shows each text the demo sends (development, demos, tests)."""

    def send(self, phone: str, body: str) -> None:
        current_app.logger.info("SMS to %s: %s", phone, body)


def load_object(path: str):
    """ "package.module:Name" or "package.module.Name" → the object."""
    module, _, name = path.partition(":") if ":" in path else path.rpartition(".")
    return getattr(import_module(module), name)


def sms_gateway(app) -> SmsSender:
    """The app's SmsSender, built once per app from SMS_SENDER."""
    gateway = app.extensions.get("sms_sender")
    if gateway is None:
        cls = load_object(
            app.config.get("SMS_SENDER") or "coordinator.notifications.senders:LogSmsSender"
        )
        gateway = app.extensions["sms_sender"] = cls(app.config)
    return gateway


def send_sms(message) -> None:
    sms_gateway(current_app._get_current_object()).send(message.recipient, message.body)


register_sender("log", send_log)
register_sender("email", send_email)
register_sender("sms", send_sms)
