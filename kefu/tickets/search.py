"""The search box: one query over subjects, replies, notes and requesters' names, e-mails and
phone numbers, with operators (`status:open tag:vip from:x@y.com created>2026-01-01`) that
become a TicketFilter; the rest is text matched through the search index."""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.tickets.filters import AI_LANGUAGES, AI_SENTIMENTS, AI_URGENCIES, TicketFilter
from kefu.tickets.queries import TicketPage, ticket_page
from kefu.tickets.schemas import Channel, Priority, Status, TicketType

MAX_QUERY_LENGTH = 500
# A chunk: `name:"quoted value"`, a "quoted phrase", or anything up to the next space.
_CHUNK = re.compile(r'[^\s"]*"[^"]*"?|\S+')
_OPERATOR = re.compile(r"^(-?)([a-z_]+)(:|>=|<=|>|<)(.+)$", re.IGNORECASE)
_CHOICES: dict[str, tuple[str, type[Any]]] = {
    "status": ("statuses", Status),
    "priority": ("priorities", Priority),
    "type": ("types", TicketType),
    "channel": ("channels", Channel),
}
# kefu.ai's reading: sentiment:negative urgency:high lang:zh intent:cancel_order
_AI_CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sentiment": ("sentiments", AI_SENTIMENTS),
    "urgency": ("urgencies", AI_URGENCIES),
    "lang": ("languages", AI_LANGUAGES),
}
OPERATORS = (
    "status:",
    "priority:",
    "type:",
    "channel:",
    "intent:",
    "sentiment:",
    "urgency:",
    "lang:",
    "tag:",
    "-tag:",
    "assignee:",
    "team:",
    "requester:",
    "from:",
    "is:",
    "created>",
    "created<",
    "updated>",
    "updated<",
)
IS_VALUES = ("unassigned", "overdue")


def _unknown(chunk: str) -> InvalidInput:
    return InvalidInput(
        _(
            "unknown search operator “%(operator)s”; use %(operators)s, or put it in quotes",
            operator=chunk,
            operators=" ".join(OPERATORS),
        )
    )


def _id(name: str, value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise InvalidInput(
            _("%(operator)s: takes a number, not “%(value)s”", operator=name, value=value)
        )
    return int(value)


def _moment(name: str, sign: str, value: str) -> tuple[str, datetime]:
    """(`after`|`before`, the bound): a bare date means the whole day, in UTC."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            end = start + timedelta(days=1)
        else:
            start = datetime.fromisoformat(value)
            start = start if start.tzinfo else start.replace(tzinfo=UTC)
            end = start + timedelta(microseconds=1)
    except ValueError:
        raise InvalidInput(
            _(
                "%(operator)s needs a date like 2026-01-31, not “%(value)s”",
                operator=name + sign,
                value=value,
            )
        ) from None
    return {">": ("after", end), ">=": ("after", start), "<": ("before", start)}.get(
        sign, ("before", end)
    )


def _choice(name: str, value: str) -> list[str]:
    values = [v.strip().lower() for v in value.split(",") if v.strip()]
    if name in _AI_CHOICES:
        allowed = list(_AI_CHOICES[name][1])
    else:
        allowed = [member.value for member in _CHOICES[name][1]]
    for item in values:
        if item not in allowed:
            raise InvalidInput(
                _(
                    "unknown %(operator)s “%(value)s”; use one of %(values)s",
                    operator=name,
                    value=item,
                    values=", ".join(allowed),
                )
            )
    return values


def parse_search(query: str) -> TicketFilter:
    """A search query as a filter: operators become conditions, the rest is `text` (quoted
    phrases kept). Unknown operators and bad values raise InvalidInput saying which."""
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(_("a search is at most %(count)s characters", count=MAX_QUERY_LENGTH))
    values: dict[str, Any] = {}
    lists: dict[str, list[Any]] = {}
    text: list[str] = []
    for chunk in _CHUNK.findall(query):
        match = _OPERATOR.match(chunk)
        if match is None or match.group(4).startswith("//"):  # words, phrases, URLs
            text.append(chunk)
            continue
        negated, name, sign, value = match.groups()
        name, value = name.lower(), value.strip('"').strip()
        if sign != ":" and name in ("created", "updated") and not negated:
            edge, moment = _moment(name, sign, value)
            key = f"{name}_{edge}"
            pick = max if edge == "after" else min
            values[key] = pick(values[key], moment) if key in values else moment
        elif sign != ":" or (negated and name != "tag"):
            raise _unknown(chunk)
        elif name in _CHOICES:
            lists.setdefault(_CHOICES[name][0], []).extend(_choice(name, value))
        elif name in _AI_CHOICES:
            lists.setdefault(_AI_CHOICES[name][0], []).extend(_choice(name, value))
        elif name == "intent":
            lists.setdefault("intents", []).extend(
                v.strip().lower() for v in value.split(",") if v.strip()
            )
        elif name == "tag":
            lists.setdefault("tags_none" if negated else "tags_all", []).append(value)
        elif name == "assignee":
            values["assignee"] = (
                value.lower() if value.lower() in ("me", "none") else _id(name, value)
            )
        elif name in ("team", "requester"):
            values[f"{name}_id"] = _id(name, value)
        elif name == "from":
            if "@" not in value:
                raise InvalidInput(_("from: takes an e-mail address, not “%(value)s”", value=value))
            values["requester_email"] = value.lower()
        elif name == "is":
            if value.lower() not in IS_VALUES:
                raise InvalidInput(
                    _("unknown is:%(value)s; use is:unassigned or is:overdue", value=value)
                )
            if value.lower() == "unassigned":
                values["assignee"] = "none"
            else:
                values["is_overdue"] = True
        else:
            raise _unknown(chunk)
    try:
        return TicketFilter(**values, **lists, text=" ".join(text) or None)
    except ValueError as exc:  # pydantic's ValidationError: a tag too long and the like
        reason = str(exc).splitlines()[-1]
        raise InvalidInput(_("not a valid search: %(reason)s", reason=reason)) from None


def search_tickets(
    session: Session,
    *,
    actor: Actor,
    query: str,
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> TicketPage:
    """Tickets matching a search, most recently updated first, in keyset pages.

    Text runs through the search index (GIN on PostgreSQL, FTS5 on SQLite) and operators
    through the tickets indexes; deleted and merged tickets never show."""
    require(actor, "tickets.read")
    spec = parse_search(query)
    if spec == TicketFilter():
        raise InvalidInput(_("type words or operators to search"))
    return ticket_page(
        session, actor=actor, spec=spec, sort="updated_desc", cursor=cursor, limit=limit, now=now
    )
