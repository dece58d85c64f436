"""Mail to an account's own holder: enrolment links and warnings about their account.

Identity alone sends mail, to the address recorded for the account, over the SMTP server that
``CP_SMTP_URL`` names: ``smtp://[user:password@]host[:port]`` (STARTTLS when the server offers
it) or ``smtps://…`` (TLS from the start). Where none is configured (the demo, a first operator
account) nothing is sent and the caller hands what it would have sent to the operator instead.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from shared.errors import ConfigurationError

SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    body: str


class MailNotSent(Exception):
    """The SMTP server could not be reached or refused the letter."""


@dataclass(frozen=True)
class Postbox:
    """Where identity's letters go (``CP_SMTP_URL``), and whom they are from; without a server, nothing is mailed."""

    smtp_url: str
    sender: str

    @property
    def configured(self) -> bool:
        return bool(self.smtp_url)

    def send(self, letter: Letter) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, letter.to, letter.subject
        message.set_content(letter.body)
        try:
            with self._connect() as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailNotSent(f"mail to {letter.to} not sent: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        url = urlsplit(self.smtp_url)
        if url.scheme not in ("smtp", "smtps"):
            raise ConfigurationError(f"CP_SMTP_URL must start smtp:// or smtps://, not {url.scheme}://")
        if url.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(url.hostname, url.port or 465, timeout=SMTP_TIMEOUT_SECONDS,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(url.hostname, url.port or 25, timeout=SMTP_TIMEOUT_SECONDS)
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        return smtp
