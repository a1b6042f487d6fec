"""AI test helpers: run the outbox and the reading job the way a kefu process does."""

from kefu.ai import reading
from kefu.db import Database
from kefu.dispatch import dispatch_due

KEY = "test-secret-key-" + "x" * 32  # the settings fixture's instance key


def settle(database: Database) -> int:
    """Dispatch every event, read every queued message, dispatch what that caused; returns
    how many messages were read."""
    while dispatch_due(database, batch=500).ran:
        pass
    read = reading.read_pending(database, key=KEY)
    while dispatch_due(database, batch=500).ran:
        pass
    return read
