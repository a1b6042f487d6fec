"""The condition language triggers and automations share: all/any groups of
(field, operator, value), the fields and the operators each field type allows, and the
check that refuses a bad condition with its reason before anything is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.ai import intents as ai_intents
from kefu.channels.phone.schemas import DISPOSITIONS
from kefu.commerce import stores
from kefu.errors import InvalidInput, NotFound
from kefu.kit.i18n import N_
from kefu.tickets import fields as custom_fields
from kefu.tickets.schemas import Channel, Priority, Status, TicketType

MAX_CONDITIONS = 50
MAX_PATTERN = 200
# Nested quantifiers ((a+)+, (a*)*, (a|a)+ …) backtrack catastrophically on Python's `re`.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")
_ALTERNATION_REPEATED = re.compile(r"\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)\s*[+*{]")

CHANGE_OPS = ("changed", "not_changed", "changed_to", "changed_from")
OPS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "enum": ("is", "is_not", "in", "not_in", "present", "absent", *CHANGE_OPS),
    "ranked": ("is", "is_not", "in", "not_in", "greater_than", "less_than", *CHANGE_OPS),
    "ref": ("is", "is_not", "in", "not_in", "present", "absent", *CHANGE_OPS),
    "text": ("is", "is_not", "contains", "not_contains", "matches", "present", "absent"),
    "number": ("is", "is_not", "greater_than", "less_than", "present", "absent"),
    "bool": ("is",),
    "tags": ("contains", "not_contains", "present", "absent", "changed"),
    "hours": ("greater_than", "less_than"),
}
OP_LABELS: dict[str, str] = {
    "is": N_("is"),
    "is_not": N_("is not"),
    "in": N_("is one of"),
    "not_in": N_("is none of"),
    "contains": N_("contains"),
    "not_contains": N_("does not contain"),
    "matches": N_("matches the pattern"),
    "greater_than": N_("is greater than"),
    "less_than": N_("is less than"),
    "present": N_("is present"),
    "absent": N_("is absent"),
    "changed": N_("changed"),
    "not_changed": N_("did not change"),
    "changed_to": N_("changed to"),
    "changed_from": N_("changed from"),
}
NO_VALUE_OPS = ("present", "absent", "changed", "not_changed")
LIST_OPS = ("in", "not_in")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field conditions may test: its value type, the choices of an enum, what it refers
    to (team, agent, store) and, for triggers, whether its changes can be tested."""

    key: str
    label: str
    type: str
    options: tuple[str, ...] = ()
    ref: str | None = None
    triggers_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def ops(self) -> tuple[str, ...]:
        return OPS_BY_TYPE[self.type]


def _enum(values: Any) -> tuple[str, ...]:
    return tuple(v.value for v in values)


PRIORITY_RANK = {p: i for i, p in enumerate(_enum(Priority))}
SLA_METRICS = ("first_reply", "next_reply", "periodic_update", "resolution")
ORDER_STATUSES = ("open", "cancelled", "closed")
PAYMENT_STATUSES = (
    "pending",
    "authorized",
    "paid",
    "partially_paid",
    "partially_refunded",
    "refunded",
    "voided",
)
FULFILMENT_STATUSES = ("unfulfilled", "partial", "fulfilled", "restocked")
AI_SENTIMENTS = ("negative", "neutral", "positive")
AI_URGENCIES = ("normal", "elevated", "high")  # ranked: "greater than normal"
AI_LANGUAGES = ("en", "zh", "other")
URGENCY_RANK = {u: i for i, u in enumerate(AI_URGENCIES)}
CALL_DIRECTIONS = ("inbound", "outbound")
CALL_OUTCOMES = ("answered", "missed", "voicemail")

FIXED_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("status", N_("Status"), "enum", _enum(Status)),
    FieldSpec("priority", N_("Priority"), "ranked", _enum(Priority)),
    FieldSpec("type", N_("Type"), "enum", _enum(TicketType)),
    FieldSpec("channel", N_("Channel"), "enum", _enum(Channel)),
    FieldSpec("store", N_("Store"), "ref", ref="store"),
    FieldSpec("team", N_("Team"), "ref", ref="team"),
    FieldSpec("assignee", N_("Assignee"), "ref", ref="agent"),
    FieldSpec("subject", N_("Subject"), "text"),
    FieldSpec("tags", N_("Tags"), "tags"),
    FieldSpec("customer.is_vip", N_("Customer is VIP"), "bool"),
    FieldSpec("customer.tags", N_("Customer tags"), "tags"),
    FieldSpec("customer.language", N_("Customer language"), "text"),
    FieldSpec("customer.email_domain", N_("Customer email domain"), "text"),
    FieldSpec("order.status", N_("Latest order status"), "enum", ORDER_STATUSES),
    FieldSpec("order.payment_status", N_("Latest order payment"), "enum", PAYMENT_STATUSES),
    FieldSpec(
        "order.fulfilment_status", N_("Latest order fulfilment"), "enum", FULFILMENT_STATUSES
    ),
    FieldSpec("order.total", N_("Latest order total"), "number"),
    FieldSpec("order.tracking_status", N_("Latest order tracking status"), "text"),
    FieldSpec("business_hours", N_("Within business hours"), "bool"),
    # what kefu.ai read from the ticket's latest customer message (or an agent set)
    FieldSpec("ai.intent", N_("Intent"), "enum"),
    FieldSpec("ai.sentiment", N_("Sentiment"), "enum", AI_SENTIMENTS),
    FieldSpec("ai.urgency", N_("Urgency"), "ranked", AI_URGENCIES),
    FieldSpec("ai.language", N_("Language of the message"), "enum", AI_LANGUAGES),
    FieldSpec("message.text", N_("Text of the message"), "text", triggers_only=True),
    FieldSpec("message.is_automated", N_("Message is an auto-reply"), "bool", triggers_only=True),
    FieldSpec("event.sla_metric", N_("SLA metric"), "enum", SLA_METRICS, triggers_only=True),
    FieldSpec("event.csat_rating", N_("CSAT rating"), "enum", ("good", "bad"), triggers_only=True),
    FieldSpec("event.csat_score", N_("CSAT score (1–5)"), "number", triggers_only=True),
    # the call a call.* event is about (kefu.channels.phone's payload)
    FieldSpec(
        "event.call_direction", N_("Call direction"), "enum", CALL_DIRECTIONS, triggers_only=True
    ),
    FieldSpec("event.call_outcome", N_("Call outcome"), "enum", CALL_OUTCOMES, triggers_only=True),
    FieldSpec(
        "event.call_disposition",
        N_("Call disposition"),
        "enum",
        tuple(DISPOSITIONS),
        triggers_only=True,
    ),
    FieldSpec("event.call_duration", N_("Call duration (seconds)"), "number", triggers_only=True),
    FieldSpec(
        "event.call_wait", N_("Call wait before answer (seconds)"), "number", triggers_only=True
    ),
    FieldSpec("event.call_line", N_("Phone line (number)"), "text", triggers_only=True),
    FieldSpec("event.call_team", N_("Phone queue (team)"), "ref", ref="team", triggers_only=True),
    FieldSpec("hours_since.created", N_("Hours since created"), "hours"),
    FieldSpec("hours_since.updated", N_("Hours since updated"), "hours"),
    FieldSpec("hours_since.pending", N_("Hours since pending"), "hours"),
    FieldSpec("hours_since.solved", N_("Hours since solved"), "hours"),
    FieldSpec("hours_since.customer_message", N_("Hours since the customer wrote"), "hours"),
)
CUSTOM_TYPES = {"text": "text", "number": "number", "dropdown": "enum", "date": "text"}


def field_catalogue(session: Session) -> dict[str, FieldSpec]:
    """Every field by key: the fixed ones (the intents those of the store's taxonomy) and
    each custom field as `field.<key>`."""
    found = {spec.key: spec for spec in FIXED_FIELDS}
    found["ai.intent"] = FieldSpec(
        "ai.intent", found["ai.intent"].label, "enum", tuple(ai_intents.intent_keys(session))
    )
    for custom in custom_fields.list_fields(session, include_inactive=True):
        kind = "bool" if custom.field_type == "checkbox" else CUSTOM_TYPES[custom.field_type]
        found[f"field.{custom.key}"] = FieldSpec(
            f"field.{custom.key}", custom.label, kind, tuple(custom.options or ())
        )
    return found


def check_pattern(pattern: str) -> re.Pattern[str]:
    """A regular expression a rule may use: it compiles, is at most 200 characters and has
    no nested or repeated-alternation quantifier (what makes `re` backtrack for ever)."""
    if len(pattern) > MAX_PATTERN:
        raise InvalidInput(f"the pattern is longer than {MAX_PATTERN} characters")
    if _NESTED_QUANTIFIER.search(pattern) or _ALTERNATION_REPEATED.search(pattern):
        raise InvalidInput(
            f"the pattern {pattern!r} repeats a repeated group, which can take for ever; "
            "simplify it"
        )
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InvalidInput(f"malformed pattern {pattern!r}: {exc}") from None


def _ref_exists(session: Session, ref: str, value: int) -> None:
    try:
        if ref == "team":
            accounts.get_team(session, value)
        elif ref == "agent":
            accounts.get_agent(session, value)
        else:
            stores.get_store(session, value)
    except NotFound:
        raise InvalidInput(f"unknown {ref}: {value}") from None


def _scalar(session: Session, spec: FieldSpec, op: str, value: Any) -> Any:
    """One value checked against the field's type; returns it normalized."""
    where = f"{spec.key} {op}"
    if spec.type in ("enum", "ranked"):
        if not isinstance(value, str) or (spec.options and value not in spec.options):
            choices = ", ".join(spec.options)
            raise InvalidInput(f"{where}: {value!r} is not one of {choices}")
        return value
    if spec.type == "ref":
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput(f"{where}: expected the id of a {spec.ref}, got {value!r}")
        _ref_exists(session, spec.ref or "", value)
        return value
    if spec.type in ("number", "hours"):
        if isinstance(value, str):
            try:
                value = float(value) if "." in value else int(value)
            except ValueError:
                raise InvalidInput(f"{where}: expected a number, got {value!r}") from None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidInput(f"{where}: expected a number, got {value!r}")
        if spec.type == "hours" and value < 0:
            raise InvalidInput(f"{where}: hours cannot be negative")
        return value
    if spec.type == "bool":
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            raise InvalidInput(f"{where}: expected true or false, got {value!r}")
        return value
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: expected some text")
    if op == "matches":
        check_pattern(value)
        return value
    return value.strip()[:1000]


def check_condition(
    session: Session, raw: Any, *, fields: dict[str, FieldSpec], kind: str
) -> dict[str, Any]:
    """One condition as {"field", "op", "value"}, or InvalidInput with the reason."""
    if not isinstance(raw, dict) or set(raw) - {"field", "op", "value"}:
        raise InvalidInput("a condition is {field, op, value}")
    key, op = raw.get("field"), raw.get("op")
    spec = fields.get(key) if isinstance(key, str) else None
    if spec is None:
        raise InvalidInput(f"unknown field: {key}")
    if spec.triggers_only and kind != "trigger":
        raise InvalidInput(f"{key} is only known when an event happens: use it in a trigger")
    if op not in spec.ops():
        raise InvalidInput(f"unknown operator {op!r} for {key}: use {', '.join(spec.ops())}")
    if op in CHANGE_OPS and kind != "trigger":
        raise InvalidInput(f"{key} {op}: changes are known only to triggers")
    value = raw.get("value")
    if op in NO_VALUE_OPS:
        return {"field": key, "op": op, "value": None}
    if op in LIST_OPS:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not value:
            raise InvalidInput(f"{key} {op}: expected a list of values")
        return {"field": key, "op": op, "value": [_scalar(session, spec, op, v) for v in value]}
    if value is None:
        raise InvalidInput(f"{key} {op}: a value is needed")
    return {"field": key, "op": op, "value": _scalar(session, spec, op, value)}


def check_conditions(session: Session, raw: Any, *, kind: str) -> dict[str, list[dict[str, Any]]]:
    """{"all": [...], "any": [...]} with every condition checked; the first wrong one is
    refused with its reason (InvalidInput "any 2: unknown field: colour")."""
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - {"all", "any"}:
        raise InvalidInput('conditions are {"all": [...], "any": [...]}')
    fields = field_catalogue(session)
    checked: dict[str, list[dict[str, Any]]] = {"all": [], "any": []}
    for group in ("all", "any"):
        items = raw.get(group) or []
        if not isinstance(items, list) or len(items) > MAX_CONDITIONS:
            raise InvalidInput(f"{group}: a list of at most {MAX_CONDITIONS} conditions")
        for index, item in enumerate(items, start=1):
            try:
                checked[group].append(check_condition(session, item, fields=fields, kind=kind))
            except InvalidInput as exc:
                raise InvalidInput(f"condition {group} {index}: {exc.message}") from None
    return checked
