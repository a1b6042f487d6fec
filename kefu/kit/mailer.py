"""kefu's own system mail (password resets, notifications) over SMTP, from KEFU_SMTP_URL.

`smtp://user:pass@host:587` uses STARTTLS when offered, `smtps://` implicit TLS. Without a URL
the message is written to the log, as a development fallback that loses nothing.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)


def build_message(*, sender: str, to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="kefu.local")
    message.set_content(text)
    return message


def send(smtp_url: str | None, message: EmailMessage) -> None:
    if not smtp_url:
        log.warning("no KEFU_SMTP_URL set; mail to %s not sent:\n%s", message["To"], message)
        return
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"KEFU_SMTP_URL must start with smtp:// or smtps://, not {parts.scheme}")
    host = parts.hostname or "localhost"
    context = ssl.create_default_context()
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=30, context=context
        )
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=30)
    with client:
        client.ehlo()
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
