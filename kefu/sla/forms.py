"""The SLA editor's forms as the API's schemas, and back (to fill a form again)."""

from typing import Any

from starlette.datastructures import FormData

from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.sla.schemas import METRICS, HolidayIn, PolicyIn, PolicyRead, ScheduleIn, ScheduleRead
from kefu.web import forms

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
PRIORITIES = ("urgent", "high", "normal", "low")


def _strings(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str) and value]


def policy_values(form: FormData) -> dict[str, Any]:
    """The policy form as PolicyIn's fields (still unchecked): `target.<metric>.<priority>`
    inputs hold minutes, an empty one means no target."""
    targets: dict[str, dict[str, Any]] = {}
    for metric in METRICS:
        for priority in PRIORITIES:
            raw = forms.text(form, f"target.{metric}.{priority}")
            if raw:
                targets.setdefault(metric, {})[priority] = _minutes(raw)
    vip = forms.text(form, "vip")
    warn = forms.text(form, "warn_minutes")
    return {
        "name": forms.text(form, "name"),
        "is_active": forms.text(form, "is_active") == "1",
        "hours": forms.text(form, "hours") or "business",
        "pause_statuses": _strings(form, "pause_statuses"),
        "warn_minutes": _minutes(warn) if warn else 0,
        "targets": targets,
        "conditions": {
            "priorities": _strings(form, "priorities"),
            "channels": _strings(form, "channels"),
            "types": _strings(form, "types"),
            "store_ids": forms.ints(form, "store_ids"),
            "vip": {"yes": True, "no": False}.get(vip),
            "customer_tags": forms.csv_list(forms.text(form, "customer_tags")),
        },
    }


def _minutes(raw: str) -> Any:
    try:
        return int(raw)
    except ValueError:
        return raw  # pydantic names the field and says it is not a whole number


def policy_in(form: FormData) -> PolicyIn:
    return PolicyIn.model_validate(policy_values(form))


def policy_form_values(policy: PolicyRead | None) -> dict[str, Any]:
    if policy is None:
        return {
            "name": "",
            "is_active": True,
            "hours": "business",
            "pause_statuses": ["pending", "on_hold"],
            "warn_minutes": 15,
            "targets": {},
            "conditions": {"vip": None},
        }
    return policy.model_dump(mode="json")


def schedule_values(form: FormData) -> dict[str, Any]:
    """`day.<0-6>` hold "09:00-12:00, 13:00-18:00"; `holidays` one day a line, "12-25
    Christmas" (every year) or "2026-12-24 Office closed" (once)."""
    intervals = []
    for weekday in range(7):
        for part in forms.csv_list(forms.text(form, f"day.{weekday}")):
            start, sep, end = part.replace("–", "-").partition("-")
            if not sep:
                raise ValueError(
                    _(
                        "%(day)s: %(text)s is not a time span like 09:00-18:00",
                        day=_(WEEKDAYS[weekday]),
                        text=part,
                    )
                )
            intervals.append({"weekday": weekday, "start": start.strip(), "end": end.strip()})
    holidays = []
    for line in forms.text(form, "holidays").splitlines():
        if line.strip():
            on, _space, name = line.strip().partition(" ")
            holidays.append({"on": on, "name": name.strip()})
    return {
        "name": forms.text(form, "name"),
        "time_zone": forms.text(form, "time_zone"),
        "is_default": forms.text(form, "is_default") == "1",
        "intervals": intervals,
        "holidays": holidays,
        "team_ids": forms.ints(form, "team_ids"),
        "store_ids": forms.ints(form, "store_ids"),
    }


def schedule_in(form: FormData) -> ScheduleIn:
    return ScheduleIn.model_validate(schedule_values(form))


def schedule_form_values(schedule: ScheduleRead | None, *, time_zone: str) -> dict[str, Any]:
    """What the schedule form shows: a day's intervals as one line of text."""
    if schedule is None:
        days = {d: "09:00-18:00" if d < 5 else "" for d in range(7)}
        return {"name": "", "time_zone": time_zone, "is_default": False, "days": days,
                "holidays": "", "team_ids": [], "store_ids": []}  # fmt: skip
    days = dict.fromkeys(range(7), "")
    for interval in schedule.intervals:
        line = f"{interval.start}-{interval.end}"
        days[interval.weekday] = f"{days[interval.weekday]}, {line}".strip(", ")
    return {
        "name": schedule.name,
        "time_zone": schedule.time_zone,
        "is_default": schedule.is_default,
        "days": days,
        "holidays": "\n".join(_holiday_line(h) for h in schedule.holidays),
        "team_ids": schedule.team_ids,
        "store_ids": schedule.store_ids,
    }


def _holiday_line(holiday: HolidayIn) -> str:
    return f"{holiday.on} {holiday.name}".strip()


def schedule_form_echo(form: FormData) -> dict[str, Any]:
    """A refused schedule form, as typed, to show again with the reason."""
    return {
        "name": forms.text(form, "name"),
        "time_zone": forms.text(form, "time_zone"),
        "is_default": forms.text(form, "is_default") == "1",
        "days": {d: forms.text(form, f"day.{d}") for d in range(7)},
        "holidays": forms.text(form, "holidays"),
        "team_ids": forms.ints(form, "team_ids"),
        "store_ids": forms.ints(form, "store_ids"),
    }
