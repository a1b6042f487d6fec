"""Bounces of our replies: the failed delivery is shown on its ticket and the address flagged.

A bounce is not a customer writing, so it never opens a ticket when its original is ours:
it becomes a system note on that ticket (idempotent on the bounce's own Message-ID), the
outbound record turns failed with the remote server's words, and the customer's address is
marked so the agent sees it before replying again."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.channels.email.models import OutboundEmail
from kefu.channels.email.outbound import show_delivery
from kefu.customers import service as customers
from kefu.tickets import service as tickets
from kefu.tickets.messages import find_by_source, record_message

if TYPE_CHECKING:
    from kefu.channels.email.noise import Noise
    from kefu.channels.email.parse import ParsedEmail
    from kefu.tickets.models import Message


def record_bounce(
    session: Session, parsed: ParsedEmail, noise: Noise, *, source_id: str, at: datetime
) -> Message | None:
    """The note on the ticket whose reply bounced; None when the bounced mail is not ours
    (then the bounce is stored like any other mail, tagged, and reopens nothing)."""
    reason = _reason(noise)
    for address in noise.bounced:
        customers.flag_bounced(session, email=address, reason=reason, at=at)
    candidates = [ref for ref in (noise.original_message_id, *parsed.in_reply_to) if ref]
    originals = find_by_source(session, "email", candidates)
    if not originals:
        return None
    earlier = find_by_source(session, "email", [source_id])
    if earlier:
        return earlier[0]
    original = max(originals, key=lambda m: m.id)
    _mark_failed(session, original.id, reason, permanent=noise.is_permanent)
    ticket = tickets.get_ticket(session, original.ticket_id, include_deleted=True)
    recipients = ", ".join(noise.bounced) or "?"
    return record_message(
        session,
        ticket,
        kind="note",
        author_type="system",
        body_text=f"Delivery to {recipients} failed: {reason}\n\n{parsed.text}".strip()[:200_000],
        channel="email",
        source_id=source_id,
        details={
            "email": {
                "noise": "bounce",
                "bounced": noise.bounced,
                "bounce_status": noise.bounce_status,
                "bounced_message_id": original.id,
            }
        },
    )


def _reason(noise: Noise) -> str:
    parts = [p for p in (noise.bounce_status, noise.bounce_diagnostic) if p]
    return " ".join(parts) or noise.reason


def _mark_failed(session: Session, message_id: int, reason: str, *, permanent: bool) -> None:
    outbound = session.scalar(select(OutboundEmail).where(OutboundEmail.message_id == message_id))
    if outbound is None:
        return
    if permanent:
        outbound.status = "failed"
        outbound.is_permanent_failure = True
    outbound.last_error = f"bounced: {reason}"[:4000]
    session.flush()
    show_delivery(session, outbound)
