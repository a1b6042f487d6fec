"""CSV import of older contact-volume history: one row per interval, every refused row
reported with its line number and the reason."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.errors import InvalidInput, TooLarge
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.workforce.intervals import floor_interval
from kefu.workforce.models import VolumeHistory, WorkforceQueue
from kefu.workforce.queues import get_queue

REQUIRED = ("start", "contacts")
OPTIONAL = ("aht_seconds",)
MAX_ROWS = 200_000
MAX_BYTES = 20 * 1024 * 1024
MAX_AHT_SECONDS = 86_400
PROGRESS_EVERY = 500


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int  # the file's line number, the header being line 1
    reason: str


@dataclass(frozen=True, slots=True)
class HistoryRow:
    line: int
    start_at: datetime
    contacts: int
    aht_seconds: float | None


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    imported: int = 0
    replaced: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


def _header(reader: "csv._reader") -> dict[str, int]:
    try:
        names = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise InvalidInput(_("The file is empty.")) from None
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise InvalidInput(
            _(
                "The first line must name the columns start, contacts (and optionally "
                "aht_seconds); missing: %(missing)s.",
                missing=", ".join(missing),
            )
        )
    return {name: names.index(name) for name in (*REQUIRED, *OPTIONAL) if name in names}


def _start(text: str, queue: WorkforceQueue) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("start %(value)r is not a date and time like 2026-11-11 20:00.", value=text)
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(queue.time_zone))
    moment = as_utc(moment)
    if floor_interval(moment, queue.interval_minutes) != moment:
        raise ValueError(
            _(
                "start %(value)s is not on a %(minutes)s-minute interval boundary.",
                value=text,
                minutes=queue.interval_minutes,
            )
        )
    return moment


def _contacts(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0 or value != int(value):
        raise ValueError(_("contacts %(value)r is not a whole number of 0 or more.", value=text))
    return int(value)


def _aht(text: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= MAX_AHT_SECONDS:
        raise ValueError(_("aht_seconds %(value)r is not a number of seconds above 0.", value=text))
    return value


def parse_history(
    text: str, *, queue: WorkforceQueue, now: datetime
) -> tuple[list[HistoryRow], list[RejectedRow]]:
    """The file's good rows and its refused ones (bad values, an interval not yet over,
    a repeated interval). A file without the needed columns is refused as a whole."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = _header(reader)
    rows: list[HistoryRow] = []
    rejected: list[RejectedRow] = []
    seen: dict[datetime, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(rejected) >= MAX_ROWS:
            raise TooLarge(_("A history file holds at most %(rows)s rows.", rows=MAX_ROWS))
        cell = {name: (cells[i].strip() if i < len(cells) else "") for name, i in columns.items()}
        try:
            start_at = _start(cell["start"], queue)
            contacts = _contacts(cell["contacts"])
            aht = _aht(cell.get("aht_seconds", ""))
            if start_at > floor_interval(now, queue.interval_minutes):
                raise ValueError(_("start %(value)s is in the future.", value=cell["start"]))
            if start_at in seen:
                raise ValueError(
                    _("the interval %(value)s repeats line %(line)s.", value=cell["start"],
                      line=seen[start_at])
                )  # fmt: skip
        except ValueError as exc:
            rejected.append(RejectedRow(line=line, reason=str(exc)))
            continue
        seen[start_at] = line
        rows.append(HistoryRow(line=line, start_at=start_at, contacts=contacts, aht_seconds=aht))
    return rows, rejected


def decode_upload(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise TooLarge(_("A history file is at most 20 MB."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not UTF-8 text (save the CSV as UTF-8).")) from None


def import_history(
    session: Session,
    *,
    actor: Actor,
    queue_id: int,
    text: str,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Store the file's good rows as the queue's history (an interval imported before is
    replaced); `progress(done, total)` is called as rows are stored."""
    require(actor, "workforce.manage")
    queue = get_queue(session, queue_id)
    rows, rejected = parse_history(text, queue=queue, now=now)
    report = ImportReport(rows=len(rows) + len(rejected), rejected=rejected)
    existing: dict[datetime, VolumeHistory] = {}
    if rows:
        existing = {
            row.start_at: row
            for row in session.scalars(
                select(VolumeHistory).where(
                    VolumeHistory.queue_id == queue.id,
                    VolumeHistory.start_at >= min(row.start_at for row in rows),
                    VolumeHistory.start_at <= max(row.start_at for row in rows),
                )
            )
        }
    for done, row in enumerate(rows, start=1):
        stored = existing.get(row.start_at)
        if stored is None:
            session.add(
                VolumeHistory(
                    queue_id=queue.id,
                    start_at=row.start_at,
                    contacts=row.contacts,
                    aht_seconds=row.aht_seconds,
                    imported_at=now,
                )
            )
            report.imported += 1
        else:
            stored.contacts, stored.aht_seconds, stored.imported_at = (
                row.contacts, row.aht_seconds, now,
            )  # fmt: skip
            report.replaced += 1
        if done % PROGRESS_EVERY == 0 or done == len(rows):
            session.flush()
            if progress is not None:
                progress(done, len(rows))
    return report
