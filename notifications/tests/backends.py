"""Email backends for tests (also loaded by worker subprocesses in the Redis tests)."""

from __future__ import annotations

import os
import smtplib
import threading
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class AlwaysFailingBackend(BaseEmailBackend):
    """An SMTP server that keeps hanging up."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class FlakyBackend(LocmemBackend):
    """Fails the first ``failures`` sends (class-level counter), then delivers to mail.outbox."""

    failures = 2
    calls = 0
    _lock = threading.Lock()

    def send_messages(self, email_messages):
        with FlakyBackend._lock:
            FlakyBackend.calls += 1
            fail = FlakyBackend.calls <= FlakyBackend.failures
        if fail:
            raise smtplib.SMTPServerDisconnected("temporary failure")
        return super().send_messages(email_messages)


class RefusingBackend(BaseEmailBackend):
    """The server refuses the recipient: a permanent error."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.test": (550, b"no such user")})


class SlowFileBackend(BaseEmailBackend):
    """For worker subprocesses: writes ``<dir>/started-<n>`` then sleeps
    ``OGC_TEST_EMAIL_DELAY`` seconds, then appends one line per message to
    ``<dir>/sent.log`` (the test counts lines). ``<dir>`` is ``OGC_TEST_EMAIL_DIR``."""

    def send_messages(self, email_messages):
        directory = Path(os.environ["OGC_TEST_EMAIL_DIR"])
        (directory / f"started-{os.getpid()}-{time.monotonic_ns()}").write_text("")
        time.sleep(float(os.environ.get("OGC_TEST_EMAIL_DELAY", "0")))
        with open(directory / "sent.log", "a") as log:
            for message in email_messages:
                log.write(f"{message.extra_headers.get('Message-ID')} {message.to[0]}\n")
        return len(email_messages)


class SimulatedKill(BaseException):
    """Raised by ``RecordingBackend.after_accept`` to stand for a worker killed right
    after the mail server accepted a message: like a SIGKILL it is no ``Exception``,
    so no ``except Exception`` cleanup runs, and the open transaction rolls back."""


class RecordingBackend(BaseEmailBackend):
    """Records the Message-ID of every accepted message in ``RecordingBackend.accepted``
    (class-level, shared by the threads of a test), then calls ``after_accept(message)``
    if set: a test can block there (a slow server) or raise ``SimulatedKill``."""

    accepted: list[str] = []
    after_accept = None
    _lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        cls.accepted = []
        cls.after_accept = None

    def send_messages(self, email_messages):
        for message in email_messages:
            with RecordingBackend._lock:
                RecordingBackend.accepted.append(message.extra_headers["Message-ID"])
            hook = RecordingBackend.after_accept
            if hook is not None:
                hook(message)
        return len(email_messages)
