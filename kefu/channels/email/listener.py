"""Mail delivered to kefu directly: an SMTP or LMTP listener (aiosmtpd) in front of the inbound
pipeline, for a mail server that hands support mail over instead of kefu fetching it.

The recipient picks the mailbox (550 for an address kefu does not serve). The sender gets its
250 only after `receive_emails` committed the mail; a transient failure (the database is down)
answers 451 so the mail server keeps the mail and tries again. LMTP answers per recipient."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aiosmtpd.controller import BaseThreadedController, Controller, UnixSocketController
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

if TYPE_CHECKING:
    from kefu.config import Settings
    from kefu.db import Database
    from kefu.kit.filestore import FileStore

log = logging.getLogger(__name__)
T = TypeVar("T")

# Room for the largest allowed attachment, base64-encoded (4/3), plus the rest of the mail.
SIZE_OVERHEAD = 1.4
SIZE_SLACK = 2_000_000


@dataclass
class MailboxHandler:
    """aiosmtpd handler: RCPT looks the mailbox up, DATA stores the mail (one batch per
    mailbox) and answers once it is committed."""

    database: Database
    files: FileStore
    settings: Settings | None
    protocol: str = "smtp"  # "smtp" | "lmtp": the source name on stored mail

    async def _blocking(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, call)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        try:
            mailbox_id = await self._blocking(partial(self._mailbox_for, address))
        except Exception:
            log.exception("%s: could not look up the recipient %s", self.protocol, address)
            return "451 4.3.0 Temporary failure, please try again later"
        if mailbox_id is None:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        _mailbox_ids(envelope).append(mailbox_id)
        return "250 2.1.5 OK"

    def _mailbox_for(self, address: str) -> int | None:
        from kefu.channels.email import mailboxes

        with self.database.unit_of_work() as session:
            mailbox = mailboxes.mailbox_for_address(session, address)
            return mailbox.id if mailbox is not None and mailbox.is_active else None

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        mailbox_ids = _mailbox_ids(envelope)
        raw = envelope.original_content or b""
        source = f"{self.protocol} from <{envelope.mail_from or ''}>"[:200]
        replies: dict[int, str] = {}
        for mailbox_id in dict.fromkeys(mailbox_ids):  # each mailbox once, in order
            replies[mailbox_id] = await self._blocking(
                partial(self._receive, mailbox_id, raw, source)
            )
        if self.protocol == "lmtp":
            return "\r\n".join(replies[mailbox_id] for mailbox_id in mailbox_ids)
        failed = [reply for reply in replies.values() if not reply.startswith("250")]
        return failed[0] if failed else "250 2.0.0 Stored"

    def _receive(self, mailbox_id: int, raw: bytes, source: str) -> str:
        from kefu.channels.email.inbound import RawEmail, receive_emails

        try:
            (receipt,) = receive_emails(
                self.database,
                self.files,
                mailbox_id=mailbox_id,
                emails=[RawEmail(raw=raw, source=source)],
                settings=self.settings,
            )
        except Exception:
            log.exception("%s: could not store mail for mailbox %s", self.protocol, mailbox_id)
            return "451 4.3.0 Temporary failure, please try again later"
        if receipt.failed:
            return "250 2.0.0 Kept for review"  # stored raw as an InboundFailure
        return "250 2.0.0 Stored" + (" (duplicate)" if receipt.is_duplicate else "")


def _mailbox_ids(envelope: Envelope) -> list[int]:
    """The mailbox of each accepted recipient, in RCPT order (kept on the envelope, which
    aiosmtpd replaces after every transaction and on RSET)."""
    if not hasattr(envelope, "kefu_mailbox_ids"):
        envelope.kefu_mailbox_ids = []  # type: ignore[attr-defined]
    return envelope.kefu_mailbox_ids  # type: ignore[attr-defined, no-any-return]


class _Inet(Controller):
    def __init__(self, handler: MailboxHandler, *, lmtp: bool, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.lmtp = lmtp

    def factory(self) -> SMTP:
        return (LMTP if self.lmtp else SMTP)(self.handler, **self.SMTP_kwargs)


class _Unix(UnixSocketController):
    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


def start_listener(
    database: Database,
    files: FileStore,
    *,
    settings: Settings | None = None,
    host: str = "127.0.0.1",
    port: int = 2525,
    lmtp: bool = False,
    unix_socket: Path | None = None,
) -> BaseThreadedController:
    """Start listening in a background thread; call .stop() on what is returned. With
    `unix_socket`, LMTP on that socket (Postfix's `lmtp:unix:` transport) instead of TCP."""
    handler = MailboxHandler(
        database, files, settings, protocol="lmtp" if lmtp or unix_socket else "smtp"
    )
    max_attachment = settings.max_attachment_bytes if settings else 25_000_000
    limits = {
        "data_size_limit": int(max_attachment * SIZE_OVERHEAD) + SIZE_SLACK,
        "enable_SMTPUTF8": True,
        "ident": "kefu",
    }
    controller: BaseThreadedController
    if unix_socket is not None:
        controller = _Unix(handler, unix_socket=str(unix_socket), **limits)
    else:
        controller = _Inet(handler, lmtp=lmtp, hostname=host, port=port, **limits)
    controller.start()
    return controller
