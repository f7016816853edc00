"""A mail backend for the tests that refuses one address and keeps the rest in mail.outbox."""

from __future__ import annotations

from collections.abc import Sequence
from smtplib import SMTPRecipientsRefused

from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend

REFUSED = "shgzs@example.cn"


class RefusingBackend(EmailBackend):
    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            if REFUSED in message.to:
                raise SMTPRecipientsRefused({REFUSED: (550, b"mailbox unavailable")})
        return super().send_messages(messages)
