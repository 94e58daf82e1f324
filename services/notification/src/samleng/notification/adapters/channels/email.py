"""Email over SMTP: UTF-8 text with encoded headers, so Khmer arrives intact."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from samleng.notification.domain.delivery import Channel, Outgoing, SendFailed


class EmailChannel:
    """Sends through one SMTP server (STARTTLS, implicit TLS, or plain on loopback)."""

    channel: Channel = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        security: str = "starttls",
        username: str = "",
        password: str = "",
        timeout: float = 10.0,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._security = security
        self._username, self._password = username, password
        self._timeout = timeout

    def compose(self, message: Outgoing) -> EmailMessage:
        """The email: RFC 2047 subject, UTF-8 body, and a Message-ID stable per delivery."""
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.address
        email["Subject"] = message.subject
        email["Date"] = format_datetime(message.created_at)
        domain = self._sender.rpartition("@")[2].strip("> ") or "samleng.invalid"
        email["Message-ID"] = make_msgid(idstring=message.external_ref, domain=domain)
        email["Content-Language"] = message.language
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.text, charset="utf-8")
        return email

    async def send(self, message: Outgoing) -> None:
        """Send one email; SMTP errors become failures that never quote the address."""
        try:
            await aiosmtplib.send(
                self.compose(message),
                hostname=self._host,
                port=self._port,
                username=self._username or None,
                password=self._password or None,
                use_tls=self._security == "tls",
                start_tls=self._security == "starttls",
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused:
            raise SendFailed("the mail server refused the recipient", permanent=True) from None
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx: the server will never take this message; 4xx: try again later
            raise SendFailed(
                f"the mail server answered {exc.code}", permanent=exc.code >= 500
            ) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"mail server unreachable ({type(exc).__name__})") from None
