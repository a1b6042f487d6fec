"""Translations: Babel catalogs compiled at install, the request's language in a context var."""

from contextvars import ContextVar
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, dates, negotiate_locale
from babel.support import NullTranslations, Translations
from pydantic import AfterValidator

from kefu.config import LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

current_language: ContextVar[str] = ContextVar("kefu_language", default="en")
current_time_zone: ContextVar[str] = ContextVar("kefu_time_zone", default="UTC")


@cache
def translations_for(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    loaded = Translations.load(str(LOCALE_DIR), [language], DOMAIN)
    if not isinstance(loaded, Translations):
        raise RuntimeError(
            f"the {language} catalog is not compiled: reinstall kefu (pip install -e .)"
        )
    return loaded


def N_(message: str) -> str:  # noqa: N802 (the conventional gettext marker)
    """Marks a message for extraction where it is defined; translated where it is shown."""
    return message


def gettext(message: str, **variables: Any) -> str:
    text = translations_for(current_language.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations_for(current_language.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def negotiate(accept_language: str | None, default: str) -> str:
    """The best of our languages for an Accept-Language header (zh, zh-CN, zh-Hans → zh_Hans)."""
    if not accept_language:
        return default
    wanted = []
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().replace("-", "_")
        if tag.lower().startswith("zh") and tag.lower() not in ("zh_tw", "zh_hk", "zh_hant"):
            tag = "zh_Hans"
        if tag:
            wanted.append(tag)
    return negotiate_locale(wanted, list(LANGUAGES), sep="_") or default


def format_datetime(moment: datetime | None, fmt: str = "medium") -> str:
    """A time in the reader's language and time zone."""
    if moment is None:
        return ""
    locale = Locale.parse(current_language.get())
    zone = ZoneInfo(current_time_zone.get())
    return dates.format_datetime(moment, fmt, tzinfo=zone, locale=locale)


def format_ago(moment: datetime | None, now: datetime | None = None) -> str:
    """ "3 minutes ago" / "3分钟前"."""
    if moment is None:
        return ""
    locale = Locale.parse(current_language.get())
    delta = moment - (now or datetime.now(moment.tzinfo))
    return dates.format_timedelta(delta, add_direction=True, locale=locale)


def check_time_zone(value: str) -> str:
    """An IANA time zone name, or ValueError naming the bad value (for pydantic validators)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


TimeZoneName = Annotated[str, AfterValidator(check_time_zone)]
