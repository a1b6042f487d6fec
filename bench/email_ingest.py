"""Email ingest speed: messages per second parsed, threaded, stored, indexed and handled,
from an mbox (`kefu email import`) and from Dovecot over IMAP, on SQLite and PostgreSQL,
against a plain `email.message_from_bytes` + INSERT loop measured in the same run.

Needs the servers of scripts/services.sh (PostgreSQL and Dovecot, via KEFU_TEST_* variables):

    bash -c 'source scripts/lib.sh && source scripts/services.sh && start_services &&
             .venv/bin/python -m bench.email_ingest [--messages 10000] [--print] [--profile]'

writes the "Email ingest" section of docs/benchmarks.md (--print prints it instead;
--profile [--configuration typical] prints where the time goes in one SQLite import, and
the seconds each event handler took, instead of measuring; --count prints the CPU seconds and
SQL statements of the import and of its handlers, and each handler's CPU seconds). The
handlers run on an empty configuration and on a typical one (bench/email_setup.py); the
typical one only on the mbox import, because the handlers' work does not depend on where the
mail came from.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import mailbox
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import text

from bench.email_corpus import generate
from bench.email_deployed import deployed
from bench.email_ingest_findings import FINDINGS
from bench.email_setup import CONFIGURATIONS, DESCRIPTION, configure
from bench.harness import fresh_database, machine, write_section
from kefu.channels.email import imap
from kefu.channels.email.mail_import import Source, import_mail
from kefu.config import Settings
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.filestore import FileStore

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Email ingest"
TARGET = 1000.0  # messages per second on SQLite (the issue)
DJANGO_HELPDESK = 57.0  # its get_email on this kind of machine (the issue)
COLUMNS = "id INTEGER PRIMARY KEY, sender TEXT, subject TEXT, body TEXT"


@dataclass
class Run:
    backend: str
    source: str
    configuration: str
    messages: int
    ingest_seconds: float
    handler_seconds: float
    deployed_seconds: float  # fetcher and a dispatching worker at once; 0: not measured

    @property
    def ingest_rate(self) -> float:
        return self.messages / self.ingest_seconds

    @property
    def total_rate(self) -> float:
        return self.messages / (self.ingest_seconds + self.handler_seconds)

    @property
    def deployed_rate(self) -> float:
        return self.messages / self.deployed_seconds if self.deployed_seconds else 0.0


def baseline(database: Database, raws: list[bytes]) -> float:
    """Seconds for the least an ingester must do: parse each mail, INSERT a row, commit every
    200 (as the import does)."""
    with database.engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE bench_mail ({COLUMNS})"))
    start = time.perf_counter()
    for first in range(0, len(raws), 200):
        with database.engine.begin() as connection:
            for number, raw in enumerate(raws[first : first + 200], start=first):
                parsed = email.message_from_bytes(raw, policy=email.policy.default)
                body = parsed.get_body(("plain", "html"))
                connection.execute(
                    text("INSERT INTO bench_mail VALUES (:id, :sender, :subject, :body)"),
                    {
                        "id": number,
                        "sender": str(parsed["From"]),
                        "subject": str(parsed["Subject"]),
                        "body": body.get_content() if body is not None else "",
                    },
                )
    return time.perf_counter() - start


def handlers(database: Database) -> float:
    """Seconds to run every event handler the ingest queued (search index, rules, ...)."""
    start = time.perf_counter()
    while dispatch_due(database, batch=500, max_batches=1000).done:
        pass
    return time.perf_counter() - start


def from_mbox(database: Database, files: FileStore, settings: Settings, path: Path) -> float:
    start = time.perf_counter()
    report = import_mail(
        database,
        files,
        [Source(path, is_mbox=True)],
        mailbox_id=None,
        settings=settings,
        batch_size=200,
    )
    assert report.failed == 0, report
    return time.perf_counter() - start


def from_imap(database: Database, files: FileStore, settings: Settings, folder: str) -> float:
    from tests.channels.email.conftest import SUPPORT, add_mailbox
    from tests.channels.email.servers import Dovecot

    dovecot = Dovecot.from_env()
    assert dovecot is not None
    mailbox_id = add_mailbox(database, folder=folder, dovecot=dovecot)
    start = time.perf_counter()
    report = imap.fetch_once(
        database,
        files,
        mailbox_id=mailbox_id,
        settings=settings,
        batch_size=200,
        server=dovecot.settings(SUPPORT),
    )
    assert report.error is None and report.failed == 0, report
    return time.perf_counter() - start


def measure(count: int, work: Path) -> tuple[list[Run], dict[str, float]]:
    from tests.channels.email.conftest import SUPPORT
    from tests.channels.email.servers import Dovecot

    raws = list(generate(count, seed=2026))
    path = work / "bench.mbox"
    box = mailbox.mbox(path)
    box.lock()
    for raw in raws:
        box.add(raw)
    box.flush()
    box.unlock()
    box.close()
    dovecot = Dovecot.from_env()
    folder = None
    if dovecot is not None:
        folder = dovecot.create_folder(SUPPORT, "bench")
        dovecot.append(SUPPORT, folder, raws)
    postgres_url = os.environ.get("KEFU_TEST_POSTGRESQL_URL")
    runs: list[Run] = []
    baselines: dict[str, float] = {}
    try:
        for backend in ["sqlite"] + (["postgresql"] if postgres_url else []):
            with fresh_database(backend, work, postgres_url) as database:
                baselines[backend] = count / baseline(database, raws)
            sources = [("mbox import", path, name) for name in CONFIGURATIONS]
            sources += [("IMAP (Dovecot)", folder, "empty")] if folder else []
            for name, where, configuration in sources:
                run = Run(backend, name, configuration, count, 0.0, 0.0, 0.0)
                for together in (False, True):
                    with fresh_database(backend, work, postgres_url) as database:
                        configure(database, configuration)
                        files = FileStore(work / f"files-{backend}-{len(runs)}-{together}")
                        settings = Settings(data_dir=work, database_url="sqlite://")
                        if name == "mbox import":
                            fetch = partial(from_mbox, database, files, settings, Path(str(where)))
                        else:
                            fetch = partial(from_imap, database, files, settings, str(where))
                        if together:
                            run.deployed_seconds = deployed(database, fetch)[0]
                        else:
                            run.ingest_seconds = fetch()
                            run.handler_seconds = handlers(database)
                        if name != "mbox import":
                            _unflag(dovecot, str(where))
                runs.append(run)
    finally:
        if dovecot is not None and folder is not None:
            dovecot.delete_folder(SUPPORT, folder)
    return runs, baselines


def _unflag(dovecot: object, folder: str) -> None:
    """Make the folder new again for the next database's run."""
    from tests.channels.email.conftest import SUPPORT
    from tests.channels.email.servers import KEYWORD, Dovecot

    assert isinstance(dovecot, Dovecot)
    with dovecot.imap(SUPPORT) as client:
        client.select_folder(folder)
        client.remove_flags("1:*", [KEYWORD, b"\\Seen"], silent=True)


def _rate(value: float) -> str:
    return f"{value:,.0f}/s" if value else "—"


def _ratio(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}×" if value else "—"


def section(runs: list[Run], baselines: dict[str, float], count: int) -> list[str]:
    lines = [
        HEADING,
        "",
        f"Written by `python -m bench.email_ingest` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{machine()}, load average {os.getloadavg()[0]:.1f}. {count:,} generated messages "
        "(bench/email_corpus.py: a customer per four messages, 40 % Chinese in UTF-8 or "
        "GB18030, 40 % replies threaded by In-Reply-To/References, 30 % with an HTML part, "
        "5 % with a 20–200 kB attachment), into an empty database. *Ingest* is "
        "`receive_emails` (parse, classify, store the raw mail, thread, ingest, commit per "
        "batch of 200); *with handlers* adds running every event handler the ingest queued "
        "(search index, SLA clocks, triggers, assignment, ...), dispatched 500 at a time, after "
        "the ingest; *as deployed* runs the same again into a new database with a worker "
        "process dispatching the outbox while the fetcher fetches (as `kefu worker` beside "
        "the fetcher does: bench/email_deployed.py), timed from the first fetch to the last "
        "handler done — the messages per second a store gets through in all. Each under "
        "a configuration: *empty* (as installed: no policy, trigger or team) or "
        f"{DESCRIPTION}. The baseline is `email.message_from_bytes` plus one "
        "INSERT per mail, committed per 200: the least any ingester does. Target: "
        f"≥ {TARGET:,.0f} messages/s on SQLite; django-helpdesk's `get_email` does about "
        f"{DJANGO_HELPDESK:.0f}/s on this kind of machine.",
        "",
        "| database | source | configuration | ingest | with handlers | as deployed "
        "| ingest vs baseline | as deployed vs baseline | as deployed vs django-helpdesk |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for backend, rate in baselines.items():
        lines.append(
            f"| {backend} | baseline (parse + INSERT) | — | {rate:,.0f}/s | — | — | 1× | — | — |"
        )
        for run in (r for r in runs if r.backend == backend):
            lines.append(
                f"| {backend} | {run.source} | {run.configuration} | {run.ingest_rate:,.0f}/s | "
                f"{run.total_rate:,.0f}/s | {_rate(run.deployed_rate)} | "
                f"{run.ingest_rate / rate:.2f}× | {_ratio(run.deployed_rate / rate)} | "
                f"{_ratio(run.deployed_rate / DJANGO_HELPDESK, 1)} |"
            )
    lines += ["", *FINDINGS, ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--print", action="store_true", help="print the section, do not write")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--count", action="store_true", help="CPU seconds and statements")
    parser.add_argument("--configuration", choices=CONFIGURATIONS, default="empty")
    args = parser.parse_args()
    from bench.email_ingest_tools import count, profile

    with tempfile.TemporaryDirectory() as work:
        if args.count:
            count(args.messages, Path(work), args.configuration)
            return
        if args.profile:
            profile(args.messages, Path(work), args.configuration)
            return
        runs, baselines = measure(args.messages, Path(work))
    lines = section(runs, baselines, args.messages)
    if args.print:
        print("\n".join(lines))
        return
    write_section(HEADING, lines)


if __name__ == "__main__":
    main()
