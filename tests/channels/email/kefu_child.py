"""`python -m tests.channels.email.kefu_child <kefu args>`: the kefu command as a child process
for the fault tests. KEFU_TEST_DIE_AFTER_BATCHES=N kills the process with SIGKILL right after
the N-th batch was committed by the inbound pipeline (before the IMAP flags are set)."""

import os
import signal
from collections.abc import Iterator


def _die_after_batches(limit: int) -> None:
    from kefu.channels.email import inbound_stream

    real = inbound_stream.receive_batches
    done = 0

    def receive_then_maybe_die(*args: object, **kwargs: object) -> Iterator[object]:
        nonlocal done
        for committed in real(*args, **kwargs):  # type: ignore[arg-type]
            done += 1
            if done >= limit:
                os.kill(os.getpid(), signal.SIGKILL)
            yield committed

    inbound_stream.receive_batches = receive_then_maybe_die  # type: ignore[assignment]


if __name__ == "__main__":
    if os.environ.get("KEFU_TEST_DIE_AFTER_BATCHES"):
        _die_after_batches(int(os.environ["KEFU_TEST_DIE_AFTER_BATCHES"]))
    from kefu.cli import main

    main()
