"""Mail a mailbox could not store: listed for admins with the reason, retried on demand.

The raw bytes are in the file store, so a retry (after a fix or a restart of a database that
was down) runs the same pipeline; it is resolved when the mail is stored or recognised as a
duplicate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.channels.email.inbound import RawEmail, receive_in
from kefu.channels.email.models import InboundFailure
from kefu.errors import NotFound
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import require

if TYPE_CHECKING:
    from kefu.config import Settings
    from kefu.kit.filestore import FileStore


def open_failures(session: Session, *, actor: Actor, limit: int = 100) -> list[InboundFailure]:
    require(actor, "mailboxes.manage")
    return list(
        session.scalars(
            select(InboundFailure)
            .where(InboundFailure.resolved_at.is_(None))
            .order_by(InboundFailure.id.desc())
            .limit(limit)
        )
    )


def get_failure(session: Session, *, actor: Actor, failure_id: int) -> InboundFailure:
    require(actor, "mailboxes.manage")
    failure = session.get(InboundFailure, failure_id)
    if failure is None:
        raise NotFound(f"inbound failure {failure_id} not found")
    return failure


def retry_failure(
    session: Session, files: FileStore, *, actor: Actor, failure_id: int, settings: Settings
) -> bool:
    """Run the stored mail through the pipeline again; True when it is stored now."""
    failure = get_failure(session, actor=actor, failure_id=failure_id)
    if failure.resolved_at is not None:
        raise NotFound(f"inbound failure {failure_id} is already resolved")
    raw = files.read(failure.raw_sha256)
    [receipt] = receive_in(
        session,
        files,
        mailbox_id=failure.mailbox_id,
        emails=[RawEmail(raw, failure.source)],
        settings=settings,
    )
    if not receipt.failed:
        failure.resolved_at = utcnow()
        session.flush()
    return not receipt.failed
