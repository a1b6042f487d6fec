"""Reading store payloads defensively: times, money, text and ids as the providers send them.

Store JSON is untrusted input: a missing field becomes an empty value, a malformed one an
`InvalidInput` naming it, never an exception from deep inside a mapping."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kefu.errors import InvalidInput, describe_validation
from kefu.kit.money import to_minor

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], values: dict[str, Any], what: str) -> M:
    """`values` as `model`, or InvalidInput naming what and the first problem."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(f"{what}: {describe_validation(exc.errors())}") from exc


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any, limit: int | None = None) -> str:
    """A string field; None and non-strings (numbers become their text) made safe, clipped."""
    if value is None or isinstance(value, dict | list):
        return ""
    found = str(value).strip()
    return found[:limit] if limit else found


def ident(value: Any) -> str:
    """A provider id (a number in JSON) as kefu keeps it: text, "" when absent or 0."""
    if value in (None, "", 0, "0") or isinstance(value, bool | dict | list):
        return ""
    return str(value)[:64]


def moment(value: Any, *, naive_is_utc: bool = True) -> datetime | None:
    """An ISO 8601 time ("2008-01-10T11:00:00-05:00", WooCommerce's "..._gmt" without an
    offset) in UTC; None when absent."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"not a time: {value!r}")
    raw = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"not a time: {value!r}") from exc
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise InvalidInput(f"a time without its UTC offset: {value!r}")
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def minor(value: Any, currency: str) -> int:
    """A money amount ("199.00", 195.66, None) in minor units of `currency`."""
    if value in (None, ""):
        return 0
    if isinstance(value, bool | dict | list):
        raise InvalidInput(f"not an amount of money: {value!r}")
    return to_minor(value, currency)


def shop_money(money_set: Any, currency: str) -> int | None:
    """Shopify's `*_set` {"shop_money": {"amount": "5.00"}}; None when it is not there."""
    amount = as_dict(as_dict(money_set).get("shop_money")).get("amount")
    return None if amount is None else minor(amount, currency)


_NOT_A_CODE = re.compile(r"[^a-z0-9]+")


def carrier_code(name: Any) -> str:
    """A carrier as a code ("USPS" -> "usps", "DHL Express" -> "dhl_express")."""
    return _NOT_A_CODE.sub("_", text(name).lower()).strip("_")[:50]


def full_name(first: Any, last: Any, fallback: Any = None) -> str:
    joined = " ".join(part for part in (text(first), text(last)) if part)
    return (joined or text(fallback))[:200]


def positive(value: Any) -> int:
    """A count from JSON: an int >= 0 (a negative or malformed one is 0)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return max(number, 0)
