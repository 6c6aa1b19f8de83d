"""Sending SMS (短信): a pluggable backend named by the ``SMS_BACKEND`` setting, like Django's
e-mail backends. ``console`` writes the message to the server's standard output (development
and the demo: the code appears in the terminal running the server), ``memory`` keeps the
messages in :data:`outbox` (tests); a production gateway is a class with the same ``send``.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shebao.core.masking import mask_phone


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> None: ...


class ConsoleSmsBackend:
    """Writes each message to standard output, the phone masked (the text is what the
    recipient would read, so it is shown whole: this backend is for development)."""

    def send(self, message: SmsMessage) -> None:
        sys.stdout.write(f"[SMS to {mask_phone(message.phone)}] {message.text}\n")
        sys.stdout.flush()


outbox: list[SmsMessage] = []
_outbox_lock = threading.Lock()


class MemorySmsBackend:
    """Keeps the messages in :data:`outbox`, for the tests to read."""

    def send(self, message: SmsMessage) -> None:
        with _outbox_lock:
            outbox.append(message)


BACKENDS = {
    "console": "shebao.portal.sms.ConsoleSmsBackend",
    "memory": "shebao.portal.sms.MemorySmsBackend",
}


def sms_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    backend_class = import_string(BACKENDS.get(name, name))
    backend: SmsBackend = backend_class()
    return backend


def sms_send(*, phone: str, text: str) -> None:
    sms_backend().send(SmsMessage(phone=phone, text=text))
