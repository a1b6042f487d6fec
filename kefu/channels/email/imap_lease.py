"""The fetch lease of a mailbox: one process fetches it at a time (owner + expiry in the
Mailbox row, taken, renewed and released by compare-and-set UPDATEs), and the fetch progress
that is saved together with each renewal."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, update

from kefu.channels.email.models import Mailbox
from kefu.kit.clock import utcnow

if TYPE_CHECKING:
    from kefu.db import Database

log = logging.getLogger(__name__)

LEASE_SECONDS = 300


class LeaseLost(Exception):
    """Another process took over the mailbox (our lease expired); stop fetching it."""


def lease_owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(
    database: Database, *, mailbox_id: int, owner: str, now: datetime | None = None
) -> bool:
    """Take (or renew) the fetch lease; False while another owner's lease is unexpired."""
    now = now or utcnow()
    with database.unit_of_work() as session:
        result = session.execute(
            update(Mailbox)
            .where(
                Mailbox.id == mailbox_id,
                or_(
                    Mailbox.fetch_lease_until.is_(None),
                    Mailbox.fetch_lease_until < now,
                    Mailbox.fetch_lease_owner == owner,
                ),
            )
            .values(
                fetch_lease_owner=owner,
                fetch_lease_until=now + timedelta(seconds=LEASE_SECONDS),
                updated_at=Mailbox.updated_at,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


def release_lease(database: Database, *, mailbox_id: int, owner: str) -> None:
    with database.unit_of_work() as session:
        session.execute(
            update(Mailbox)
            .where(Mailbox.id == mailbox_id, Mailbox.fetch_lease_owner == owner)
            .values(fetch_lease_owner=None, fetch_lease_until=None, updated_at=Mailbox.updated_at)
            .execution_options(synchronize_session=False)
        )


def save_progress(database: Database, *, mailbox_id: int, owner: str, **values: Any) -> None:
    """Record progress and renew the lease in one compare-and-set; LeaseLost if not ours."""
    now = utcnow()
    with database.unit_of_work() as session:
        result = session.execute(
            update(Mailbox)
            .where(Mailbox.id == mailbox_id, Mailbox.fetch_lease_owner == owner)
            .values(
                fetch_lease_until=now + timedelta(seconds=LEASE_SECONDS),
                updated_at=Mailbox.updated_at,
                **values,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise LeaseLost(f"mailbox {mailbox_id}: the fetch lease is no longer {owner}'s")


def record_error(database: Database, *, mailbox_id: int, error: str) -> None:
    try:
        with database.unit_of_work() as session:
            session.execute(
                update(Mailbox)
                .where(Mailbox.id == mailbox_id)
                .values(
                    last_error=error[:2000], last_error_at=utcnow(), updated_at=Mailbox.updated_at
                )
                .execution_options(synchronize_session=False)
            )
    except Exception:
        log.exception("mailbox %s: could not record the fetch error", mailbox_id)
