"""Fetchers running inside a kefu process (`kefu serve` with the in-process worker, or
`kefu email fetch --watch`): one watching thread per active mailbox with an IMAP server,
mailboxes added or switched off later picked up within a minute; stoppable."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from kefu.channels.email import imap
from kefu.channels.email.models import Mailbox

if TYPE_CHECKING:
    from kefu.config import Settings
    from kefu.db import Database
    from kefu.kit.filestore import FileStore

log = logging.getLogger(__name__)
RESCAN_SECONDS = 60.0


def fetchable_mailboxes(database: Database) -> list[int]:
    with database.unit_of_work() as session:
        return list(
            session.scalars(
                select(Mailbox.id)
                .where(Mailbox.is_active.is_(True), Mailbox.imap_host != "")
                .order_by(Mailbox.id)
            )
        )


class Fetchers:
    """A supervisor thread keeping one imap.watch thread per fetchable mailbox."""

    def __init__(
        self,
        database: Database,
        files: FileStore,
        *,
        settings: Settings | None = None,
        mailbox_ids: list[int] | None = None,
        on_report: Callable[[imap.FetchReport], None] | None = None,
    ) -> None:
        self.database = database
        self.files = files
        self.settings = settings
        self.fixed_ids = mailbox_ids
        self.on_report = on_report
        self.stopping = threading.Event()
        self._watchers: dict[int, tuple[threading.Thread, threading.Event]] = {}
        self._supervisor = threading.Thread(
            target=self._supervise, name="kefu-email-fetchers", daemon=True
        )

    def start(self) -> Fetchers:
        self._supervisor.start()
        return self

    def _supervise(self) -> None:
        while not self.stopping.is_set():
            try:
                wanted = set(self.fixed_ids or fetchable_mailboxes(self.database))
            except Exception:
                log.exception("could not list the mailboxes to fetch")
                wanted = set(self._watchers)
            for mailbox_id in wanted - set(self._watchers):
                self._start_watcher(mailbox_id)
            for mailbox_id in set(self._watchers) - wanted:
                _, stop = self._watchers.pop(mailbox_id)
                stop.set()
            self.stopping.wait(RESCAN_SECONDS)

    def _start_watcher(self, mailbox_id: int) -> None:
        stop = threading.Event()
        thread = threading.Thread(
            target=self._watch,
            args=(mailbox_id, stop),
            name=f"kefu-imap-{mailbox_id}",
            daemon=True,
        )
        self._watchers[mailbox_id] = (thread, stop)
        thread.start()

    def _watch(self, mailbox_id: int, stop: threading.Event) -> None:
        try:
            imap.watch(
                self.database,
                self.files,
                mailbox_id=mailbox_id,
                stop=stop,
                settings=self.settings,
                on_report=self.on_report,
            )
        except Exception:
            log.exception("mailbox %s: the fetcher stopped", mailbox_id)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every watcher (each releases its mailbox's lease) and wait for them."""
        self.stopping.set()
        self._supervisor.join(timeout)
        watchers = list(self._watchers.values())
        for _, stop in watchers:
            stop.set()
        for thread, _ in watchers:
            thread.join(timeout)
