"""`kefu email import`: .eml files, mbox files and directories of them, into the inbound
pipeline in batches. Idempotent (the pipeline is), so an interrupted import is resumed by
running it again: what was stored comes back as duplicates and nothing is stored twice."""

from __future__ import annotations

import mmap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kefu.errors import InvalidInput

if TYPE_CHECKING:
    from kefu.channels.email.inbound import RawEmail
    from kefu.config import Settings
    from kefu.db import Database
    from kefu.kit.filestore import FileStore

MBOX_MAGIC = b"From "


@dataclass(slots=True)
class ImportReport:
    total: int = 0
    stored: int = 0
    duplicates: int = 0
    failed: int = 0  # kept raw as InboundFailure, for an admin to look at


@dataclass(frozen=True, slots=True)
class Source:
    """One file to import: an mbox (many messages) or a single message."""

    path: Path
    is_mbox: bool

    def count(self) -> int:
        if not self.is_mbox:
            return 1
        with _mapped(self.path) as data:
            return sum(1 for _ in _from_lines(data))

    def messages(self) -> Iterator[tuple[str, bytes]]:
        """(source label, raw bytes) per message, in file order."""
        if not self.is_mbox:
            yield f"import {self.path.name}", self.path.read_bytes()
            return
        with _mapped(self.path) as data:
            for number, raw in enumerate(_mbox_messages(data), start=1):
                yield f"import {self.path.name}#{number}", raw


def _mapped(path: Path) -> mmap.mmap:
    """The file mapped read-only (an mbox may be larger than memory); empty files too."""
    with path.open("rb") as handle:
        if handle.seek(0, 2) == 0:
            return mmap.mmap(-1, 1)  # mmap refuses a zero-length file; one NUL holds no "From "
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _from_lines(data: mmap.mmap) -> Iterator[int]:
    """Where each line starting "From " starts (bytes.find: a regular expression anchored
    at line starts tries every byte and is ten times slower)."""
    if data[:5] == MBOX_MAGIC:
        yield 0
    found = data.find(b"\nFrom ")
    while found >= 0:
        yield found + 1
        found = data.find(b"\nFrom ", found + 1)


def _mbox_messages(data: mmap.mmap) -> Iterator[bytes]:
    """The messages of an mbox as the standard library's `mailbox.mbox` splits it (every
    line starting "From " opens a message; one blank line before it belongs to no message;
    the "From " line itself is dropped; ">From " lines are left as they are), found by
    searching the mapped file instead of `mailbox`'s line-by-line reading, which took about
    as long as parsing the messages' headers."""
    starts = _from_lines(data)
    start = next(starts, None)
    while start is not None:
        following = next(starts, None)
        stop = len(data) if following is None else following
        if stop - start >= 2 and data[stop - 2 : stop] == b"\n\n":
            stop -= 1  # the blank line that separates two messages (or ends the file)
        body = data.find(b"\n", start, stop)
        yield b"" if body < 0 else data[body + 1 : stop]
        start = following


def find_sources(path: Path) -> list[Source]:
    """The files to import under `path`; raises InvalidInput with a clear reason."""
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or directory")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        found = (_source(p) for p in files if p.stat().st_size > 0)
        sources = [source for source in found if source is not None]  # others are skipped
        if not sources:
            raise InvalidInput(f"{path}: no mail files in this directory")
        return sources
    source = _source(path)
    if source is None:
        raise InvalidInput(f"{path}: neither an .eml message nor an mbox file (no mail headers)")
    return [source]


def _source(path: Path) -> Source | None:
    """The file as something to import, None when it is not mail."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    if not head.strip():
        raise InvalidInput(f"{path}: the file is empty")
    if head.startswith(MBOX_MAGIC):
        return Source(path, is_mbox=True)
    return Source(path, is_mbox=False) if _looks_like_mail(head) else None


def _looks_like_mail(head: bytes) -> bool:
    """A header line ("Name: value") before the first blank line."""
    first = head.lstrip().split(b"\n", 1)[0]
    name, colon, _ = first.partition(b":")
    return bool(colon) and bool(name) and b" " not in name.strip() and len(name) < 80


def import_mail(
    database: Database,
    files: FileStore,
    sources: list[Source],
    *,
    mailbox_id: int | None,
    settings: Settings | None = None,
    batch_size: int = 200,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Store every message of `sources` (each keeps its own Date); `progress(n)` after each
    committed batch of n messages."""
    from kefu.channels.email.inbound_stream import receive_batches, tally

    report = ImportReport()
    stream = receive_batches(
        database,
        files,
        _batches(sources, batch_size),
        mailbox_id=mailbox_id,
        settings=settings,
        use_mail_date=True,
    )
    for receipts, size in stream:
        report.total += len(receipts)
        tally(report, receipts)
        if progress is not None:
            progress(size)
    return report


def _batches(sources: list[Source], size: int) -> Iterator[tuple[list[RawEmail], int]]:
    """The sources' mail in batches of `size` (the last may be smaller), each with its size."""
    from kefu.channels.email.inbound import RawEmail

    batch: list[RawEmail] = []
    for source in sources:
        for label, raw in source.messages():
            batch.append(RawEmail(raw=raw, source=label[:200]))
            if len(batch) >= size:
                yield batch, len(batch)
                batch = []
    if batch:
        yield batch, len(batch)
