"""The one source of "now": UTC, timezone-aware, replaceable in tests."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC, so say so."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _in_utc(moment: datetime) -> datetime:
    try:
        return as_utc(moment)
    except OverflowError:
        raise ValueError("the time is outside the calendar once in UTC") from None


UtcTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
"""An input time: with its UTC offset (a naive time is refused) and converted to UTC, so a
time that falls off the calendar there (0001-01-01T00:00+05:00) is a 422, not an overflow."""
