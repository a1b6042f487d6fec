"""Coverage: how many agents a roster has on each queue per interval (breaks excluded),
against what is required; the heat map and shortfall come from here."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kefu.workforce.scheduling import demand
from kefu.workforce.scheduling.models import Roster, Shift
from kefu.workforce.scheduling.rosters import Window, shifts_of, window_of


@dataclass(frozen=True, slots=True)
class Cell:
    start_at: datetime
    required: int
    scheduled: float

    @property
    def gap(self) -> float:
        return round(self.scheduled - self.required, 2)

    @property
    def is_short(self) -> bool:
        return self.scheduled + 1e-9 < self.required

    @property
    def level(self) -> str:
        """A class for the heat map: short, tight (exact), over (2+ spare) or ok."""
        if self.is_short:
            return "short"
        if self.gap >= 2:
            return "over"
        return "tight" if self.required and self.gap < 1 else "ok"


@dataclass(frozen=True, slots=True)
class Coverage:
    window: Window
    cells: dict[int, list[Cell]]  # queue id -> one cell per interval

    @property
    def shortfall_hours(self) -> float:
        hours = self.window.interval_minutes / 60
        return round(
            sum(max(0.0, c.required - c.scheduled) for row in self.cells.values() for c in row)
            * hours,
            2,
        )

    @property
    def short_intervals(self) -> int:
        return sum(c.is_short for row in self.cells.values() for c in row)

    def days(self, queue_id: int) -> list[tuple[date, list[Cell]]]:
        """The queue's cells grouped by local day, for the heat map's rows."""
        zone = ZoneInfo(self.window.time_zone)
        grouped: dict[date, list[Cell]] = defaultdict(list)
        for cell in self.cells.get(queue_id, []):
            grouped[cell.start_at.astimezone(zone).date()].append(cell)
        return sorted(grouped.items())


def working_spans(shift: Shift) -> list[tuple[datetime, datetime]]:
    """The parts of a shift an agent takes contacts: the shift less its breaks."""
    spans = [(shift.start_at, shift.end_at)]
    for item in sorted(shift.breaks or [], key=lambda b: b["start_at"]):
        b_start, b_end = (
            datetime.fromisoformat(item["start_at"]),
            datetime.fromisoformat(item["end_at"]),
        )
        cut = []
        for start, end in spans:
            if b_end <= start or b_start >= end:
                cut.append((start, end))
                continue
            if start < b_start:
                cut.append((start, b_start))
            if b_end < end:
                cut.append((b_end, end))
        spans = cut
    return spans


def scheduled_per_interval(
    shifts: list[Shift], window: Window, queue_ids: list[int]
) -> dict[int, list[float]]:
    """Agents on each queue per interval; an agent there for part of one counts in part."""
    step = timedelta(minutes=window.interval_minutes)
    count = len(window.intervals)
    totals = {q: [0.0] * count for q in queue_ids}
    for shift in shifts:
        queue_id = shift.queue_id if shift.queue_id in totals else queue_ids[0]
        for start, end in working_spans(shift):
            start, end = max(start, window.start_at), min(end, window.end_at)
            if end <= start:
                continue
            first = int((start - window.start_at) / step)
            last = min(count - 1, int((end - window.start_at - timedelta(microseconds=1)) / step))
            for i in range(first, last + 1):
                i_start = window.start_at + step * i
                overlap = min(end, i_start + step) - max(start, i_start)
                totals[queue_id][i] += overlap / step
    return {q: [round(v, 4) for v in row] for q, row in totals.items()}


def roster_coverage(
    session: Session, roster: Roster, *, without: frozenset[int] = frozenset()
) -> Coverage:
    """Required against scheduled per queue and interval; `without` leaves shifts out (what
    approving a time-off request would do)."""
    window = window_of(roster)
    needed = demand.required_agents(
        session, queue_ids=roster.queue_ids, start_at=window.start_at, end_at=window.end_at
    )
    shifts = [s for s in shifts_of(session, roster.id) if s.id not in without]
    scheduled = scheduled_per_interval(shifts, window, roster.queue_ids)
    cells = {
        q: [
            Cell(start_at=at, required=needed.get((q, at), 0), scheduled=scheduled[q][i])
            for i, at in enumerate(window.intervals)
        ]
        for q in roster.queue_ids
    }
    return Coverage(window=window, cells=cells)
