"""A tiny stand-in for the lead's kefu.channels.email.inbound, used by these tests ONLY until
the real pipeline is on main (contract: receive_emails commits, is idempotent, keeps what fails
as an InboundFailure). Installed into sys.modules by conftest.py when the real one is missing."""

from __future__ import annotations

import email
import email.policy
import hashlib
import sys
import types
from dataclasses import dataclass
from typing import Any

from kefu.channels.email.models import InboundFailure
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest


@dataclass(slots=True)
class RawEmail:
    raw: bytes
    source: str


@dataclass(slots=True)
class Receipt:
    source: str
    ticket_id: int | None
    message_id: int | None
    is_duplicate: bool
    failed: bool


def receive_emails(
    database: Any,
    files: Any,
    *,
    mailbox_id: int | None,
    emails: list[RawEmail],
    settings: Any = None,
    use_mail_date: bool = False,
) -> list[Receipt]:
    receipts = []
    with database.unit_of_work() as session:
        for item in emails:
            digest = hashlib.sha256(item.raw).hexdigest()
            try:
                with session.begin_nested():
                    parsed = email.message_from_bytes(item.raw, policy=email.policy.default)
                    sender = parsed.get("From")
                    address = sender.addresses[0].addr_spec if sender and sender.addresses else ""
                    body = parsed.get_body(("plain",))
                    text = body.get_content() if body is not None else ""
                    result = ingest(
                        session,
                        message=InboundMessage(
                            channel="email",
                            source_id=f"sha256:{digest}",
                            sender=Sender(email=address),
                            subject=str(parsed.get("Subject", "")) or "(no subject)",
                            body_text=text[:100_000],
                        ),
                    )
                receipts.append(
                    Receipt(
                        item.source, result.ticket_id, result.message_id, result.is_duplicate, False
                    )
                )
            except Exception as exc:
                failure = InboundFailure(
                    mailbox_id=mailbox_id,
                    raw_sha256=digest,
                    source=item.source[:200],
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                )
                session.add(failure)
                session.flush()
                receipts.append(Receipt(item.source, None, None, False, True))
    return receipts


def install() -> None:
    """Put this stand-in where the real module will be, if the real one is not there yet."""
    try:
        import kefu.channels.email.inbound  # noqa: F401
    except ModuleNotFoundError:
        module = types.ModuleType("kefu.channels.email.inbound")
        module.RawEmail = RawEmail  # type: ignore[attr-defined]
        module.Receipt = Receipt  # type: ignore[attr-defined]
        module.receive_emails = receive_emails  # type: ignore[attr-defined]
        sys.modules["kefu.channels.email.inbound"] = module
