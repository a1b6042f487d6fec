"""Phone numbers as kefu keeps them: E.164 (`+14155550100`), parsed by `phonenumbers`."""

from __future__ import annotations

import phonenumbers

from kefu.errors import InvalidInput


def to_e164(raw: str, *, region: str | None = None) -> str:
    """The number in E.164. A national number ("020 7946 0018") needs the `region` it is
    dialled in (e.g. the phone line's country); a number that cannot exist is refused."""
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException as exc:
        hint = "" if text.startswith("+") or region else " (write it with its +country code)"
        raise InvalidInput(f"not a phone number: {raw!r}{hint}") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput(f"not a phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def maybe_e164(raw: str | None, *, region: str | None = None) -> str | None:
    """E.164, or None for what is not a number: a withheld caller ("anonymous"), a softphone
    ("client:alice") or a SIP address."""
    if not raw or raw.strip().lower().startswith(("client:", "sip:")):
        return None
    try:
        return to_e164(raw, region=region)
    except InvalidInput:
        return None


def region_of(e164: str | None) -> str | None:
    """The country a number belongs to ("GB" for +44…), to read national numbers near it."""
    if not e164:
        return None
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None)) or None
    except phonenumbers.NumberParseException:
        return None


def display(number: str | None) -> str:
    """A number as people read it ("+44 20 7946 0018"); anything else as it came."""
    if not number:
        return ""
    if not number.startswith("+"):
        return number
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
