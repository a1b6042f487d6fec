"""Run as a child process: send one queued reply, then die by SIGKILL at a chosen moment.

`after-record`: right after the "sent" outcome committed (the job is never acknowledged);
`after-accept`: right after the SMTP server accepted the mail, before anything is recorded."""

import os
import signal
import sys
from pathlib import Path

from kefu.channels.email import outbound
from kefu.config import Settings
from kefu.events import EMITTED_KEY
from kefu.kit.filestore import FileStore
from kefu.runtime import open_database


def main(url: str, data_dir: str, outbound_id: int, moment: str) -> None:
    database = open_database(url)
    settings = Settings(data_dir=Path(data_dir), database_url=url, secret_key=os.environ["KEY"])
    if moment == "after-record":
        database.after_commit_hooks.append(
            lambda session: (
                os.kill(os.getpid(), signal.SIGKILL) if session.info.get(EMITTED_KEY) else None
            )
        )
    else:
        deliver = outbound._deliver

        def deliver_and_die(*args, **kwargs):  # type: ignore[no-untyped-def]
            deliver(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)

        outbound._deliver = deliver_and_die  # type: ignore[assignment]
    # the mailbox's password is decrypted with the instance key, as in the app
    from kefu import runtime

    runtime.start(settings, database=database)
    outbound.send_outbound(
        database, FileStore(Path(data_dir) / "files"), outbound_id, settings=settings
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
