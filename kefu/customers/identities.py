"""How identity values are normalized, so one address or number always finds one customer."""

import re
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from kefu.errors import InvalidInput

KINDS = ("email", "phone", "chat", "store")


def normalize_email(raw: str) -> str:
    try:
        return _normalized_email(raw.strip())
    except EmailNotValidError as exc:
        raise InvalidInput(f"not a valid email address: {raw!r}") from exc


@lru_cache(maxsize=4096)  # ingest looks each sender up more than once; validation is costly
def _normalized_email(address: str) -> str:
    return validate_email(address, check_deliverability=False).normalized.lower()


def normalize_phone(raw: str) -> str:
    """Digits with an optional leading +; "00" international prefix becomes "+"."""
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = "+" + digits
    elif digits.startswith("00"):
        number = "+" + digits[2:]
    else:
        number = digits
    if len(digits) < 5 or len(digits) > 17:
        raise InvalidInput(f"not a valid phone number: {raw!r}")
    return number


def normalize_identity(kind: str, raw: str) -> str:
    if kind == "email":
        return normalize_email(raw)
    if kind == "phone":
        return normalize_phone(raw)
    if kind in ("chat", "store"):
        value = raw.strip()
        if not value or len(value) > 320:
            raise InvalidInput(f"a {kind} identity is 1 to 320 characters")
        return value
    raise InvalidInput(f"unknown identity kind {kind!r}; use one of {', '.join(KINDS)}")
