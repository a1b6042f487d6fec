"""`python -m tests.channels.email.kefu_child <kefu args>`: the kefu command as a child process
for the fault tests. KEFU_TEST_DIE_AFTER_BATCHES=N kills the process with SIGKILL right after
the N-th batch was committed by the inbound pipeline (before the IMAP flags are set)."""

import os
import signal


def _die_after_batches(limit: int) -> None:
    from kefu.channels.email import inbound

    real = inbound.receive_emails
    done = 0

    def receive_then_maybe_die(*args: object, **kwargs: object) -> object:
        nonlocal done
        receipts = real(*args, **kwargs)  # type: ignore[arg-type]
        done += 1
        if done >= limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return receipts

    inbound.receive_emails = receive_then_maybe_die  # type: ignore[assignment]


if __name__ == "__main__":
    if os.environ.get("KEFU_TEST_DIE_AFTER_BATCHES"):
        _die_after_batches(int(os.environ["KEFU_TEST_DIE_AFTER_BATCHES"]))
    from kefu.cli import main

    main()
