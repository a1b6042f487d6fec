"""Run as a child process: commit an event, then die by SIGKILL before anything dispatches."""

import os
import signal
import sys

import tests.outbox_handlers  # noqa: F401  (registers the handler, as the app would)
from kefu.events import emit
from kefu.runtime import open_database


def main(url: str) -> None:
    database = open_database(url)
    database.after_commit_hooks.append(lambda _session: os.kill(os.getpid(), signal.SIGKILL))
    with database.unit_of_work() as session:
        emit(session, "test.happened", subject_type="order", subject_id="1001")


if __name__ == "__main__":
    main(sys.argv[1])
