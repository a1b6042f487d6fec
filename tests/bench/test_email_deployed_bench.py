"""The "as deployed" email bench: the fetcher and a dispatching worker process at once."""

from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from bench.email_deployed import deployed
from bench.email_ingest import from_mbox
from bench.email_ingest_tools import _mbox
from kefu.config import Settings
from kefu.db import Database
from kefu.events import EventDelivery
from kefu.kit.filestore import FileStore
from kefu.tickets.models import Message


def test_the_worker_beside_the_import_runs_every_delivery(
    database: Database, tmp_path: Path
) -> None:
    # given an mbox of 40 customer mails
    path = _mbox(tmp_path / "mail.mbox", 40)
    files = FileStore(tmp_path / "files")
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", ingest_workers=0)
    # when it is imported with a dispatching worker process running beside it
    seconds, done = deployed(database, partial(from_mbox, database, files, settings, path))
    # then the clock stopped only after the worker had run every delivery the import wrote
    with database.unit_of_work() as session:
        deliveries = session.scalar(select(func.count()).select_from(EventDelivery))
        spans = session.scalars(select(EventDelivery.more_event_ids)).all()
        left = session.scalar(
            select(func.count()).select_from(EventDelivery).where(EventDelivery.status != "done")
        )
        messages = session.scalar(select(func.count()).select_from(Message))
    assert messages == 40
    assert left == 0 and done == deliveries
    assert deliveries + sum(len(more or ()) for more in spans) >= 40  # (event, handler) pairs
    assert seconds > 0
