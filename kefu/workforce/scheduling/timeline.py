"""The roster as the pages draw it: a row per agent, a cell per local day, a bar per shift
placed by percentages of the day (breaks inside it), and weekly hours per agent."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kefu.kit.i18n import N_, gettext
from kefu.workforce.scheduling.coverage import working_spans
from kefu.workforce.scheduling.models import Shift

DAY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Bar:
    shift_id: int
    left: float
    width: float
    label: str
    queue_id: int | None
    is_manual: bool
    breaks: list[tuple[float, float]]


@dataclass(slots=True)
class Row:
    agent_id: int
    name: str
    cells: list[list[Bar]]
    hours: float = 0.0
    shift_ids: list[int] = field(default_factory=list)


def _minute_of_day(moment: datetime, zone: ZoneInfo) -> tuple[date, int]:
    local = moment.astimezone(zone)
    return local.date(), local.hour * 60 + local.minute


def _percent(minutes: float) -> float:
    return round(100 * minutes / DAY_MINUTES, 3)


def bar_for(shift: Shift, zone: ZoneInfo) -> tuple[date, Bar]:
    day, start = _minute_of_day(shift.start_at, zone)
    length = (shift.end_at - shift.start_at).total_seconds() / 60
    end_label = shift.end_at.astimezone(zone).strftime("%H:%M")
    breaks = []
    for item in shift.breaks or []:
        offset = (datetime.fromisoformat(item["start_at"]) - shift.start_at).total_seconds() / 60
        b_len = (
            datetime.fromisoformat(item["end_at"]) - datetime.fromisoformat(item["start_at"])
        ).total_seconds() / 60
        breaks.append((round(100 * offset / length, 2), round(100 * b_len / length, 2)))
    return day, Bar(
        shift_id=shift.id,
        left=_percent(start),
        width=min(_percent(length), round(100 - _percent(start), 3)),
        label=f"{shift.start_at.astimezone(zone):%H:%M}–{end_label}",
        queue_id=shift.queue_id,
        is_manual=shift.is_manual,
        breaks=breaks,
    )


def timeline(
    shifts: list[Shift],
    *,
    start_date: date,
    days: int,
    time_zone: str,
    agents: dict[int, str],
) -> tuple[list[date], list[Row]]:
    """Rows for every agent named in `agents` (rostered or not), by name."""
    zone = ZoneInfo(time_zone)
    day_list = [start_date + timedelta(days=i) for i in range(days)]
    index = {d: i for i, d in enumerate(day_list)}
    rows = {
        agent_id: Row(agent_id=agent_id, name=name, cells=[[] for _ in day_list])
        for agent_id, name in agents.items()
    }
    worked: dict[int, float] = defaultdict(float)
    for shift in shifts:
        row = rows.get(shift.agent_id)
        if row is None:
            row = rows[shift.agent_id] = Row(
                agent_id=shift.agent_id, name=str(shift.agent_id), cells=[[] for _ in day_list]
            )
        day, bar = bar_for(shift, zone)
        if day in index:
            row.cells[index[day]].append(bar)
        row.shift_ids.append(shift.id)
        worked[shift.agent_id] += sum((e - s).total_seconds() for s, e in working_spans(shift))
    for agent_id, row in rows.items():
        row.hours = round(worked.get(agent_id, 0.0) / 3600, 1)
    ordered = sorted(rows.values(), key=lambda r: (r.name.lower(), r.agent_id))
    return day_list, ordered


RULE_LABELS = {
    "coverage": N_("Short of the requirement"),
    "max_minutes_per_day": N_("Most hours a day"),
    "max_minutes_per_week": N_("Most hours a week"),
    "contract_minutes": N_("Contract hours"),
    "min_rest": N_("Rest between shifts"),
    "max_consecutive_days": N_("Working days in a row"),
    "min_days_off_per_week": N_("Days off a week"),
    "max_nights_per_week": N_("Nights a week"),
    "max_weekends_worked": N_("Weekends worked"),
    "one_shift_per_day": N_("One shift a day"),
    "time_off": N_("Time off"),
    "availability": N_("Availability"),
    "forbidden": N_("Forbidden shifts"),
    "skill": N_("Queues served"),
}


def describe_conflicts(
    conflicts: list[dict[str, Any]],
    *,
    start_date: date,
    interval_minutes: int,
    agents: dict[int, str],
    queues: dict[int, str],
) -> list[dict[str, str]]:
    """A solver report's conflicts in the reader's language: the rule, then who and where
    (agent, queue, day, first interval and how long); the solver's English sentence stays
    as the detail."""
    described = []
    for item in conflicts:
        parts = []
        if item.get("agent_id") is not None:
            parts.append(agents.get(item["agent_id"], str(item["agent_id"])))
        if item.get("queue_id") is not None:
            parts.append(queues.get(item["queue_id"], str(item["queue_id"])))
        if item.get("week") is not None:
            parts.append(gettext("week %(n)d", n=item["week"] + 1))
        if item.get("interval") is not None:
            minutes = item["interval"] * interval_minutes
            moment = datetime.combine(start_date, datetime.min.time()) + timedelta(minutes=minutes)
            length = item.get("intervals", 1) * interval_minutes
            parts.append(f"{moment:%Y-%m-%d %H:%M} (+{length} min)")
        elif item.get("day") is not None:
            parts.append((start_date + timedelta(days=item["day"])).isoformat())
        rule = str(item.get("rule"))
        described.append(
            {
                "rule": gettext(RULE_LABELS[rule]) if rule in RULE_LABELS else rule,
                "where": " · ".join(parts),
                "message": str(item.get("message", "")),
            }
        )
    return described
