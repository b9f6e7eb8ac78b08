"""An SMS gateway for the multi-process tests: each text becomes one line appended to the file
SMS_LOG_FILE names, so the test sees what every delivery process on every "host" sent."""

import os

from coordinator.notifications.senders import SmsSender


class FileSms(SmsSender):
    def send(self, phone: str, body: str) -> None:
        line = f"{os.getpid()}\t{phone}\t{body}\n".encode()
        # One write of one line with O_APPEND: lines of several processes never interleave.
        fd = os.open(os.environ["SMS_LOG_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def sent_bodies(path) -> list[str]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t", 2)[2] for line in f if line.strip()]
