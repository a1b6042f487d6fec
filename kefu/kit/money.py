"""Money as integer minor units with a currency code, and its display.

A currency's exponent comes from CLDR through babel (USD 2, JPY 0, KWD 3), so "12.50"
in USD is 1250 and "1250" in JPY is 1250."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision

from kefu.errors import InvalidInput
from kefu.kit.i18n import current_language


def exponent(currency: str) -> int:
    """Digits after the decimal point in the currency's minor unit."""
    return int(get_currency_precision(currency.upper()))


def to_minor(amount: str | int | float | Decimal, currency: str) -> int:
    """A major-unit amount ("12.50", 12.5) in minor units, rounded half up."""
    try:
        value = Decimal(str(amount).strip() or "0")
    except InvalidOperation as exc:
        raise InvalidInput(f"not an amount of money: {amount!r}") from exc
    if not value.is_finite():
        raise InvalidInput(f"not an amount of money: {amount!r}")
    scaled = value.scaleb(exponent(currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    """Minor units as a Decimal amount in major units (1250 USD → Decimal("12.50"))."""
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def major_text(minor: int, currency: str) -> str:
    """Minor units as the plain decimal text APIs expect ("12.50")."""
    return str(to_major(minor, currency))


def format_money(minor: int | None, currency: str, locale: str | None = None) -> str:
    """Minor units for people: "$12.50", "¥88.00", "€3,20" in the reader's language."""
    if minor is None:
        return ""
    where = locale or current_language.get()
    return format_currency(to_major(minor, currency), currency.upper(), locale=where)
