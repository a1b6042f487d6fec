"""`kefu email …`: fetch mailboxes over IMAP, listen for SMTP/LMTP delivery, import mail files."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from kefu.runtime import Runtime

email_app = typer.Typer(help="The email channel: fetch, listen, import.", no_args_is_help=True)


def _runtime(*, apply_migrations: bool = True) -> Runtime:
    from kefu.cli import connect, prepare_schema, settings_from
    from kefu.runtime import start

    settings = settings_from()
    database = connect(settings)
    prepare_schema(settings, database, apply=apply_migrations and settings.is_sqlite)
    return start(settings, database=database)


def _wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM."""
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    while not stop.wait(1):
        pass


@email_app.command("fetch")
def fetch(
    mailbox: Annotated[
        int | None, typer.Option("--mailbox", help="Mailbox id (default: every active one).")
    ] = None,
    watch: Annotated[
        bool, typer.Option(help="Keep fetching (IMAP IDLE) until stopped with Ctrl-C.")
    ] = False,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Messages per transaction.")] = 100,
) -> None:
    """Fetch new mail from the mailboxes' IMAP servers."""
    from kefu.channels.email import imap
    from kefu.channels.email.fetchers import Fetchers, fetchable_mailboxes
    from kefu.cli import clear_errors, fail, out

    with clear_errors():
        runtime = _runtime()
        ids = [mailbox] if mailbox is not None else fetchable_mailboxes(runtime.database)
        if mailbox is not None:
            _check_mailbox(runtime, mailbox)
    if not ids:
        fail("no active mailbox with an IMAP server", 1)
    if watch:
        fetchers = Fetchers(
            runtime.database,
            runtime.files,
            settings=runtime.settings,
            mailbox_ids=ids,
            on_report=_print_report,
        ).start()
        out.print(f"Watching {len(ids)} mailbox(es); Ctrl-C stops.")
        _wait_for_signal()
        fetchers.stop()
        return
    errors = 0
    for mailbox_id in ids:
        report = imap.fetch_once(
            runtime.database,
            runtime.files,
            mailbox_id=mailbox_id,
            settings=runtime.settings,
            batch_size=batch,
        )
        _print_report(report)
        errors += report.error is not None
    if errors:
        raise typer.Exit(1)


def _check_mailbox(runtime: Runtime, mailbox_id: int) -> None:
    from kefu.channels.email import mailboxes

    with runtime.database.unit_of_work() as session:
        mailboxes.get_mailbox(session, mailbox_id)  # NotFound: one clear line


def _print_report(report: object) -> None:
    from kefu.channels.email.imap import FetchReport
    from kefu.cli import err, out

    assert isinstance(report, FetchReport)
    where = f"mailbox {report.mailbox_id}"
    if report.error:
        err.print(f"[bold red]{where}:[/] {report.error}", markup=True, soft_wrap=True)
    elif report.skipped:
        out.print(f"{where}: skipped, {report.skipped}")
    elif report.fetched or report.uidvalidity_reset:
        reset = (
            " (UIDVALIDITY changed: looked at every message)" if report.uidvalidity_reset else ""
        )
        out.print(
            f"{where}: {report.fetched} fetched, {report.stored} new, "
            f"{report.duplicates} already in kefu, {report.failed} kept for review{reset}"
        )
    else:
        out.print(f"{where}: no new mail")


@email_app.command("listen")
def listen(
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 2525,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    lmtp: Annotated[bool, typer.Option("--lmtp", help="Speak LMTP instead of SMTP.")] = False,
    unix_socket: Annotated[
        Path | None, typer.Option("--socket", help="LMTP on this Unix socket instead of TCP.")
    ] = None,
) -> None:
    """Receive mail delivered by your mail server (SMTP or LMTP), for the mailboxes' addresses."""
    from kefu.channels.email.listener import start_listener
    from kefu.cli import clear_errors, ensure_port_free, out

    with clear_errors():
        runtime = _runtime()
        if unix_socket is None:
            ensure_port_free(host, port)
        listener = start_listener(
            runtime.database,
            runtime.files,
            settings=runtime.settings,
            host=host,
            port=port,
            lmtp=lmtp,
            unix_socket=unix_socket,
        )
    where = f"unix:{unix_socket}" if unix_socket else f"{host}:{port}"
    out.print(
        f"Listening for {'LMTP' if lmtp or unix_socket else 'SMTP'} on {where}; Ctrl-C stops."
    )
    try:
        _wait_for_signal()
    finally:
        listener.stop()


@email_app.command("import")
def import_files(
    path: Annotated[Path, typer.Argument(help="An .eml file, an mbox file or a directory.")],
    mailbox: Annotated[
        int | None, typer.Option("--mailbox", help="The mailbox the mail belongs to.")
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Messages per transaction.")] = 200,
) -> None:
    """Import old mail (migrations). Safe to run again: nothing is imported twice."""
    from kefu.channels.email.mail_import import find_sources, import_mail
    from kefu.cli import clear_errors, out, progress_bar

    with clear_errors():
        sources = find_sources(path)
        runtime = _runtime()
        if mailbox is not None:
            _check_mailbox(runtime, mailbox)
        total = sum(source.count() for source in sources)
        with progress_bar() as progress:
            task = progress.add_task("email: import", total=total)
            report = import_mail(
                runtime.database,
                runtime.files,
                sources,
                mailbox_id=mailbox,
                settings=runtime.settings,
                batch_size=batch,
                progress=lambda count: progress.advance(task, count),
            )
    out.print(
        f"{report.total} messages: {report.stored} imported, {report.duplicates} already in "
        f"kefu, {report.failed} kept for review (see the mailbox page)."
    )
    if report.failed:
        raise typer.Exit(1)
