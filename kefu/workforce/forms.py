"""Workforce forms: what a manager typed, as the schemas the services take."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData

from kefu.errors import InvalidInput
from kefu.kit import i18n
from kefu.workforce.schemas import EventIn, OverrideIn, QueueIn

OPTIONAL_NUMBERS = (
    "team_id", "store_id", "asa_target_seconds", "patience_seconds", "async_within_hours",
    "aht_seconds",
)  # fmt: skip


def queue_values(form: FormData) -> dict[str, Any]:
    """The form as typed (to show it again on a refusal)."""
    values: dict[str, Any] = {
        name: str(form.get(name, "")).strip() for name in QueueIn.model_fields
    }
    values["is_active"] = form.get("is_active") is not None
    return values


def queue_in(form: FormData) -> QueueIn:
    values = queue_values(form)
    data = {name: value for name, value in values.items() if value != ""}
    for name in OPTIONAL_NUMBERS:
        data.setdefault(name, None)
    data["country"] = values.get("country") or None
    if str(data.get("interval_minutes", "")).isdigit():
        data["interval_minutes"] = int(data["interval_minutes"])
    return QueueIn.model_validate(data)


def local_time(text: str, time_zone: str) -> datetime:
    """A `datetime-local` input ("2026-11-11T20:00") read in the queue's time zone."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment


def event_in(form: FormData, *, queue_id: int, time_zone: str) -> EventIn:
    return EventIn.model_validate(
        {
            "name": str(form.get("name", "")),
            "queue_id": None if form.get("all_queues") else queue_id,
            "starts_at": local_time(str(form.get("starts_at", "")), time_zone),
            "ends_at": local_time(str(form.get("ends_at", "")), time_zone),
            "multiplier": str(form.get("multiplier", "")),
        }
    )


def override_in(form: FormData, *, time_zone: str) -> OverrideIn:
    return OverrideIn.model_validate(
        {
            "start_at": local_time(str(form.get("start_at", "")), time_zone),
            "volume": str(form.get("volume", "")),
            "note": str(form.get("note", "")),
        }
    )


def day_or(text: str | None, default: date) -> date:
    """The day a page was asked for (`?day=YYYY-MM-DD`), or the default when none."""
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            i18n.gettext("%(value)s is not a date (YYYY-MM-DD).", value=text)
        ) from None
