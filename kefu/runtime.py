"""What one kefu process runs on: settings, database, job queue, broadcast; built at start-up,
not import."""

import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kefu.config import Settings
from kefu.db import Database
from kefu.events import EMITTED_KEY
from kefu.jobs import AFTER_COMMIT_KEY, JobQueue, make_queue
from kefu.kit.broadcast import Broadcast, MemoryBroadcast, make_broadcast, publish_pending
from kefu.kit.clock import Clock, utcnow
from kefu.kit.filestore import FileStore

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    database: Database
    queue: JobQueue
    files: FileStore
    broadcast: Broadcast = field(default_factory=MemoryBroadcast)
    clock: Clock = field(default=utcnow)


_current: Runtime | None = None


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("kefu runtime not started: call kefu.runtime.start()")
    return _current


def instance_key(key: str | None = None) -> str:
    """The key that encrypts stored secrets (mailbox passwords, store and widget secrets):
    `key` when given, else the running app's, else the configuration's (a command that runs
    no app, such as `kefu demo`, reads it there)."""
    if key is not None:
        return key
    from kefu.config import load_settings, secret_key

    try:
        settings = current().settings
    except RuntimeError:
        settings = load_settings()
    return secret_key(settings)


def open_database(url: str) -> Database:
    """A Database with kefu's flush and commit hooks (audit log, outbox forgetting)."""
    from kefu.compliance.audit import install_audit_listener
    from kefu.domains import load_domains

    load_domains()
    database = Database.from_url(url)
    install_audit_listener(database.sessions)
    return database


def start(settings: Settings, *, database: Database | None = None) -> Runtime:
    """Build the process runtime; after each commit that emitted events, queue a dispatch,
    and publish the live updates the transaction queued (kefu.kit.broadcast)."""
    global _current
    database = database or open_database(settings.database_url)
    queue = make_queue(settings)
    runtime = Runtime(
        settings=settings,
        database=database,
        queue=queue,
        files=FileStore(settings.data_dir / "files"),
        broadcast=make_broadcast(settings.redis_url),
    )

    def queue_dispatch(session: Session) -> None:
        if session.info.pop(EMITTED_KEY, None):
            try:
                queue.enqueue("events.dispatch")
            except Exception:
                # The events are committed; the minute sweep delivers them anyway.
                log.exception("could not queue event dispatch; the sweep will deliver")

    def queue_jobs(session: Session) -> None:
        for name, args in session.info.pop(AFTER_COMMIT_KEY, None) or []:
            try:
                queue.enqueue(name, *args)
            except Exception:
                log.exception("could not queue job %s; its sweep will run it", name)

    database.after_commit_hooks.append(queue_dispatch)
    database.after_commit_hooks.append(queue_jobs)
    database.after_commit_hooks.append(lambda session: publish_pending(runtime.broadcast, session))
    _current = runtime
    return runtime


def stop() -> None:
    global _current
    if _current is not None:
        _current.database.dispose()
        _current.broadcast.close()
    _current = None
