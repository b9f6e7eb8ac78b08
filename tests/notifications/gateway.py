"""An SMS gateway for tests, loaded by dotted path through SMS_SENDER."""

from coordinator.notifications.senders import SmsSender


class RecordingSms(SmsSender):
    sent: list = []

    def send(self, phone: str, body: str) -> None:
        self.sent.append((phone, body))
