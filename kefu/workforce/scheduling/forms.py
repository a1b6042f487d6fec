"""Scheduling's HTML forms read into schemas, and values shown back in them; times are
typed as local HH:MM and dates as YYYY-MM-DD."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData

from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext as _
from kefu.web import forms as web_forms
from kefu.workforce.scheduling.schemas import (
    AvailabilityIn,
    BreakRuleIn,
    LabourRulesIn,
    RosterIn,
    ShiftIn,
    ShiftTemplateIn,
    SwapIn,
    TimeOffIn,
    WorkProfileIn,
)

MAX_BREAKS = 3


def minutes(value: str) -> int:
    """ "09:30" -> 570; "24:00" is the end of a day."""
    hours, sep, mins = value.strip().partition(":")
    if not sep or not hours.isdigit() or not mins.isdigit() or len(mins) != 2:
        raise InvalidInput(_("“%(value)s” is not a time like 09:30", value=value))
    total = int(hours) * 60 + int(mins)
    if int(mins) > 59 or total > 24 * 60:
        raise InvalidInput(_("“%(value)s” is not a time of day", value=value))
    return total


def hhmm(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


def day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(_("write the date like 2026-11-11 (%(value)s)", value=value)) from None


def number(form: FormData, name: str, default: int = 0) -> int:
    value = web_forms.text(form, name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(_("%(name)s: a whole number, please", name=name)) from None


def template_in(form: FormData) -> ShiftTemplateIn:
    starts = [minutes(v) for v in web_forms.csv_list(web_forms.text(form, "start_times"))]
    breaks = []
    for i in range(MAX_BREAKS):
        length = web_forms.text(form, f"break.{i}.minutes")
        if not length:
            continue
        breaks.append(
            BreakRuleIn(
                kind=web_forms.text(form, f"break.{i}.kind") or "break",
                minutes=number(form, f"break.{i}.minutes"),
                earliest=number(form, f"break.{i}.earliest"),
                latest=number(form, f"break.{i}.latest"),
            )
        )
    return ShiftTemplateIn(
        name=web_forms.text(form, "name"),
        start_minutes=starts,
        length_minutes=number(form, "length_minutes"),
        breaks=breaks,
        weekdays=web_forms.ints(form, "weekdays"),
        is_active=web_forms.text(form, "is_active") == "1",
    )


def template_values(template: Any | None, form: FormData | None = None) -> dict[str, Any]:
    if form is not None:
        return {
            "name": web_forms.text(form, "name"),
            "start_times": web_forms.text(form, "start_times"),
            "length_minutes": web_forms.text(form, "length_minutes"),
            "is_active": web_forms.text(form, "is_active") == "1",
            "weekdays": web_forms.ints(form, "weekdays"),
            "breaks": [
                {
                    k: web_forms.text(form, f"break.{i}.{k}")
                    for k in ("kind", "minutes", "earliest", "latest")
                }
                for i in range(MAX_BREAKS)
            ],
        }
    breaks = list(template.breaks) if template else []
    blank = {"kind": "break", "minutes": "", "earliest": "", "latest": ""}
    return {
        "name": template.name if template else "",
        "start_times": ", ".join(hhmm(m) for m in template.start_minutes) if template else "",
        "length_minutes": template.length_minutes if template else 480,
        "is_active": template.is_active if template else True,
        "weekdays": list(template.weekdays) if template else list(range(7)),
        "breaks": (breaks + [blank] * MAX_BREAKS)[:MAX_BREAKS],
    }


def rules_in(form: FormData) -> LabourRulesIn:
    return LabourRulesIn(
        name=web_forms.text(form, "name"),
        max_hours_day=number(form, "max_hours_day", 10),
        max_hours_week=number(form, "max_hours_week", 40),
        min_rest_hours=number(form, "min_rest_hours", 11),
        max_consecutive_days=number(form, "max_consecutive_days", 6),
        min_days_off_week=number(form, "min_days_off_week", 2),
        fair_nights=web_forms.text(form, "fair_nights") == "1",
        fair_weekends=web_forms.text(form, "fair_weekends") == "1",
        max_nights_per_week=web_forms.optional_int(form, "max_nights_per_week"),
        max_weekends_worked=web_forms.optional_int(form, "max_weekends_worked"),
    )


def availability(form: FormData) -> list[AvailabilityIn]:
    """ "day.0" = "09:00-18:00, 19:00-21:00" per weekday; all empty means any time."""
    found = []
    for weekday in range(7):
        for part in web_forms.csv_list(web_forms.text(form, f"day.{weekday}")):
            start, sep, end = part.partition("-")
            if not sep:
                raise InvalidInput(_("“%(part)s” is not a span like 09:00-18:00", part=part))
            found.append(AvailabilityIn(weekday=weekday, start=minutes(start), end=minutes(end)))
    return found


def profile_in(form: FormData) -> WorkProfileIn:
    return WorkProfileIn(
        queue_ids=web_forms.ints(form, "queue_ids"),
        min_hours_week=number(form, "min_hours_week"),
        max_hours_week=number(form, "max_hours_week", 40),
        availability=availability(form),
        preferred_template_ids=web_forms.ints(form, "preferred_template_ids"),
        forbidden_template_ids=web_forms.ints(form, "forbidden_template_ids"),
        preferred_days_off=web_forms.ints(form, "preferred_days_off"),
        forbidden_days=web_forms.ints(form, "forbidden_days"),
        is_scheduled=web_forms.text(form, "is_scheduled") == "1",
    )


def availability_text(profile: Any | None) -> list[str]:
    days: list[list[str]] = [[] for _ in range(7)]
    for item in profile.availability if profile else []:
        days[item["weekday"]].append(f"{hhmm(item['start'])}-{hhmm(item['end'])}")
    return [", ".join(spans) for spans in days]


def roster_in(form: FormData) -> RosterIn:
    return RosterIn(
        name=web_forms.text(form, "name"),
        start_date=day(web_forms.text(form, "start_date")),
        days=number(form, "days", 7),
        queue_ids=web_forms.ints(form, "queue_ids"),
        rules_id=web_forms.optional_int(form, "rules_id"),
    )


def local_time(on: date, at: str, time_zone: str) -> datetime:
    """A local date and HH:MM (24:00 = next midnight) as UTC."""
    total = minutes(at)
    local = datetime.combine(on, datetime.min.time(), tzinfo=ZoneInfo(time_zone))
    return (local + timedelta(minutes=total)).astimezone(UTC)


def shift_in(form: FormData, time_zone: str) -> ShiftIn:
    """A shift typed as day, start and end (an end before the start is the next day)."""
    on = day(web_forms.text(form, "day"))
    start_at = local_time(on, web_forms.text(form, "start"), time_zone)
    end_at = local_time(on, web_forms.text(form, "end"), time_zone)
    if end_at <= start_at:
        end_at = local_time(on + timedelta(days=1), web_forms.text(form, "end"), time_zone)
    agent_id = web_forms.optional_int(form, "agent_id")
    if agent_id is None:
        raise InvalidInput(_("choose an agent"))
    return ShiftIn(
        agent_id=agent_id,
        start_at=start_at,
        end_at=end_at,
        queue_id=web_forms.optional_int(form, "queue_id"),
    )


def time_off_in(form: FormData) -> TimeOffIn:
    first = day(web_forms.text(form, "first_day"))
    last_text = web_forms.text(form, "last_day")
    return TimeOffIn(
        first_day=first,
        last_day=day(last_text) if last_text else first,
        reason=web_forms.text(form, "reason"),
    )


def swap_in(form: FormData) -> SwapIn:
    shift_id = web_forms.optional_int(form, "shift_id")
    other = web_forms.optional_int(form, "other_agent_id")
    if shift_id is None or other is None:
        raise InvalidInput(_("choose your shift and a colleague"))
    return SwapIn(
        shift_id=shift_id,
        other_agent_id=other,
        other_shift_id=web_forms.optional_int(form, "other_shift_id"),
        reason=web_forms.text(form, "reason"),
    )
