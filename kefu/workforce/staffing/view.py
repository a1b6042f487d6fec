"""What the staffing page shows: a queue's week of requirements per interval (table and chart
data), and the one-interval calculator's inputs read from a query string."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kefu.errors import InvalidInput
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.workforce.intervals import local_day_bounds
from kefu.workforce.models import WorkforceQueue
from kefu.workforce.queues import get_queue
from kefu.workforce.staffing.erlang import Staffing, staff_interval
from kefu.workforce.staffing.requirements import StaffRequirement, required_staff

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


@dataclass(frozen=True, slots=True)
class StaffingRow:
    label: str  # local "Mon 11-09 09:00"
    requirement: StaffRequirement


@dataclass(frozen=True)
class WeekView:
    queue: WorkforceQueue
    monday: date
    rows: list[StaffingRow]

    @property
    def model(self) -> str | None:
        return self.rows[0].requirement.model if self.rows else None

    @property
    def peak_agents(self) -> int:
        return max((row.requirement.raw_agents for row in self.rows), default=0)

    @property
    def scheduled_hours(self) -> float:
        """Agent-hours to schedule over the week (after shrinkage)."""
        hours = self.queue.interval_minutes / 60
        return sum(row.requirement.scheduled_agents for row in self.rows) * hours

    def chart(self) -> dict[str, Any]:
        return {
            "labels": [row.label for row in self.rows],
            "raw": [row.requirement.raw_agents for row in self.rows],
            "scheduled": [row.requirement.scheduled_agents for row in self.rows],
            "volume": [round(row.requirement.volume, 1) for row in self.rows],
        }


def week_view(session: Session, *, queue_id: int, day: date) -> WeekView:
    """The local week (Monday to Sunday) holding `day`."""
    queue = get_queue(session, queue_id)
    monday = day - timedelta(days=day.weekday())
    start, _end = local_day_bounds(monday, queue.time_zone)
    _start, end = local_day_bounds(monday + timedelta(days=6), queue.time_zone)
    zone = ZoneInfo(queue.time_zone)
    rows = []
    for item in required_staff(session, queue_id=queue_id, start=start, end=end):
        local = item.start_at.astimezone(zone)
        label = f"{_(WEEKDAYS[local.weekday()])} {local:%m-%d %H:%M}"
        rows.append(StaffingRow(label=label, requirement=item))
    return WeekView(queue=queue, monday=monday, rows=rows)


@dataclass
class Calculator:
    """The calculator form's values (as typed) and, once submitted, its answer."""

    values: dict[str, str] = field(default_factory=dict)
    result: Staffing | None = None
    error: str | None = None


FIELDS = (
    "volume", "interval_minutes", "aht_seconds", "service_level", "answer_within_seconds",
    "max_occupancy", "shrinkage", "patience_seconds", "concurrency", "asa_target_seconds",
)  # fmt: skip
WHOLE = ("interval_minutes", "concurrency")
OPTIONAL = ("patience_seconds", "asa_target_seconds")


def calculator_defaults(queue: WorkforceQueue | None) -> dict[str, str]:
    """The form's starting values: the queue's settings, else the CLI's defaults."""
    values = {
        "volume": "100", "interval_minutes": "30", "aht_seconds": "180", "service_level": "0.8",
        "answer_within_seconds": "20", "max_occupancy": "0.85", "shrinkage": "0.3",
        "patience_seconds": "", "concurrency": "1", "asa_target_seconds": "",
    }  # fmt: skip
    if queue is not None:
        for name, value in (
            ("interval_minutes", queue.interval_minutes),
            ("aht_seconds", queue.aht_seconds),
            ("service_level", queue.service_level_target),
            ("answer_within_seconds", queue.answer_within_seconds),
            ("max_occupancy", queue.max_occupancy),
            ("shrinkage", queue.shrinkage),
            ("patience_seconds", queue.patience_seconds),
            ("concurrency", queue.concurrency),
            ("asa_target_seconds", queue.asa_target_seconds),
        ):
            if value is not None:
                values[name] = f"{value:g}" if isinstance(value, float) else str(value)
    return values


def calculate(query: Mapping[str, str], defaults: dict[str, str]) -> Calculator:
    """Read the form like the CLI reads its options; a bad value is an error to show."""
    values = {name: query.get(name, defaults.get(name, "")).strip() for name in FIELDS}
    calculator = Calculator(values=values)
    try:
        numbers: dict[str, Any] = {}
        for name in FIELDS:
            text = values[name]
            if not text and name in OPTIONAL:
                numbers[name] = None
                continue
            numbers[name] = _number(name, text)
        if numbers["asa_target_seconds"] is not None:
            numbers["service_level"] = None
        calculator.result = staff_interval(**numbers)
    except InvalidInput as exc:
        calculator.error = exc.message
    return calculator


def _number(name: str, text: str) -> float | int:
    try:
        return int(text) if name in WHOLE else float(text)
    except ValueError:
        raise InvalidInput(
            _("%(field)s: %(value)s is not a number.", field=_(LABELS[name]), value=text or "''")
        ) from None


LABELS = {
    "volume": N_("Contacts in the interval"),
    "interval_minutes": N_("Interval (minutes)"),
    "aht_seconds": N_("Average handle time (seconds)"),
    "service_level": N_("Service level target (0.8 = 80 %)"),
    "answer_within_seconds": N_("Answered within (seconds)"),
    "max_occupancy": N_("Maximum occupancy (0.85 = 85 %)"),
    "shrinkage": N_("Shrinkage (0.3 = 30 %)"),
    "patience_seconds": N_("Customer patience (seconds, for Erlang A)"),
    "concurrency": N_("Contacts per agent at once"),
    "asa_target_seconds": N_("ASA target (seconds, instead of the service level)"),
}
