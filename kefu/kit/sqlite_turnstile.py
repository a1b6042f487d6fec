"""Writers to one SQLite file take turns in the order the kernel wakes them.

SQLite has one write lock per database. A writer that finds it taken waits in SQLite's busy
handler, which sleeps and retries — after a few tries 100 ms at a time — so a process that
commits and begins its next write transaction at once (the outbox dispatcher working through
a backlog) takes the lock again in the microseconds it was free and the sleeping writer (the
mail fetcher, a web request) starves until the busy timeout. Before BEGIN IMMEDIATE every
connection therefore takes an exclusive flock(2) on a file beside the database, and drops it
when its transaction ends: a waiting writer sleeps in the kernel and is woken the moment the
lock is released, while the one that released it is still on its way to its next BEGIN.

The turnstile orders writers; it guarantees nothing: SQLite's own lock still does. So a
connection of a thread that already holds the turnstile through another connection (a
nested unit of work) does not wait for it (it would wait for itself) and queues on SQLite's
busy timeout as before. A thread running an event loop waits for the turnstile at most a few
seconds, then queues on SQLite's busy timeout too: the holder may be a request whose transaction
began in a worker thread and must hop through that very loop to commit, so blocking the loop in
flock(2) would wait forever, while SQLite's busy timeout ends. (kefu itself keeps database work
off its event loop; this bounds the harm of any that slips through.) A read-only transaction
(`Database.reading`) takes no turn: WAL readers never wait for writers. A process that dies drops
its flocks with its file descriptors.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading
import time
from typing import Any

from sqlalchemy import Engine, event

_FD = "kefu.turnstile_fd"
_HELD = "kefu.turnstile_thread"  # set while this connection holds the turnstile
READING = "kefu_reading"  # execution option: a read-only transaction, no turn needed


LOOP_WAIT_SECONDS = 5.0


def _try_for(fd: int, seconds: float) -> bool:
    """Take the flock without blocking, trying again until `seconds` have passed."""
    deadline, pause = time.monotonic() + seconds, 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def install(engine: Engine, database_path: str) -> None:
    """Make `engine`'s connections take turns on `<database_path>-writers` to write."""
    lock_path = f"{database_path}-writers"
    guard = threading.Lock()
    held_by: dict[int, int] = {}  # thread id -> how many of its connections hold the turnstile

    def _release(info: dict[str, Any]) -> None:
        thread = info.pop(_HELD, None)
        if thread is None:
            return
        fcntl.flock(info[_FD], fcntl.LOCK_UN)
        with guard:
            held_by[thread] -= 1
            if not held_by[thread]:
                del held_by[thread]

    @event.listens_for(engine, "connect")
    def _open(_dbapi_connection: Any, record: Any) -> None:
        record.info[_FD] = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    @event.listens_for(engine, "close")
    def _close(_dbapi_connection: Any, record: Any) -> None:
        _release(record.info)
        fd = record.info.pop(_FD, None)
        if fd is not None:
            os.close(fd)

    @event.listens_for(engine, "reset")
    def _reset(_dbapi_connection: Any, record: Any, _state: Any = None) -> None:
        _release(record.info)  # back to the pool: its transaction is over

    @event.listens_for(engine, "begin")
    def _take(connection: Any) -> None:
        if connection.get_execution_options().get(READING):
            return
        info = connection.connection.info
        thread = threading.get_ident()
        with guard:
            if _FD not in info or _HELD in info or thread in held_by:
                return
        if not _on_event_loop():
            fcntl.flock(info[_FD], fcntl.LOCK_EX)
        elif not _try_for(info[_FD], LOOP_WAIT_SECONDS):
            return
        info[_HELD] = thread
        with guard:
            held_by[thread] = held_by.get(thread, 0) + 1

    # Both fire just before the COMMIT or ROLLBACK: the writer woken here may find SQLite's
    # lock not yet free and wait a millisecond or two in the busy handler, no longer.
    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        _release(connection.connection.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        _release(connection.connection.info)
