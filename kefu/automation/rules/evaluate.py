"""Conditions read against a ticket's facts, with the reason in words: "yes, because
priority is urgent and customer is VIP" or "no: tags does not contain escalated"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kefu.automation.rules.conditions import (
    FIXED_FIELDS,
    OP_LABELS,
    PRIORITY_RANK,
    URGENCY_RANK,
    check_pattern,
)
from kefu.automation.rules.facts import TicketFacts, change_key
from kefu.kit.i18n import gettext as _

LABELS = {spec.key: spec.label for spec in FIXED_FIELDS}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One condition: whether it holds and the sentence that says so."""

    holds: bool
    text: str


@dataclass(frozen=True, slots=True)
class Verdict:
    fires: bool
    outcomes: list[Outcome]
    explanation: str


def _shown(value: Any) -> str:
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or _("nothing")
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def _label(key: str) -> str:
    if key in LABELS:
        return _(LABELS[key])
    return key.removeprefix("field.")


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.casefold() == expected.casefold()
    if isinstance(actual, int | float) and isinstance(expected, int | float):
        return float(actual) == float(expected)
    return bool(actual == expected)


def _ranked(key: str, value: Any) -> Any:
    if key == "ai.urgency":
        return URGENCY_RANK.get(value, -1)
    return PRIORITY_RANK.get(value, -1) if key == "priority" else value


def _compare(key: str, op: str, actual: Any, expected: Any) -> bool:
    if actual is None:
        return False
    left, right = _ranked(key, actual), _ranked(key, expected)
    try:
        return bool(left > right if op == "greater_than" else left < right)
    except TypeError:
        return False


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list):
        return any(_same(item, expected) for item in actual)
    if isinstance(actual, str):
        return expected.casefold() in actual.casefold()
    return False


def holds(facts: TicketFacts, condition: dict[str, Any]) -> tuple[bool, Any]:
    """Whether one checked condition holds, and the value it read."""
    key, op, expected = condition["field"], condition["op"], condition.get("value")
    if op in ("changed", "not_changed", "changed_to", "changed_from"):
        change = facts.changes().get(change_key(key) or "")
        if op == "changed":
            return change is not None, change
        if op == "not_changed":
            return change is None, change
        if not isinstance(change, list) or len(change) != 2:
            return False, None
        side = change[1] if op == "changed_to" else change[0]
        return _same(side, expected), side
    actual = facts.value(key)
    match op:
        case "is":
            return _same(actual, expected), actual
        case "is_not":
            return not _same(actual, expected), actual
        case "in":
            return any(_same(actual, v) for v in expected), actual
        case "not_in":
            return not any(_same(actual, v) for v in expected), actual
        case "contains":
            return _contains(actual, expected), actual
        case "not_contains":
            return not _contains(actual, expected), actual
        case "matches":
            found = isinstance(actual, str) and check_pattern(expected).search(actual)
            return bool(found), actual
        case "greater_than" | "less_than":
            return _compare(key, op, actual, expected), actual
        case "present":
            return actual not in (None, "", []), actual
        case "absent":
            return actual in (None, "", []), actual
    return False, actual


def describe(condition: dict[str, Any]) -> str:
    """ "priority is urgent" in the reader's language."""
    op, value = condition["op"], condition.get("value")
    words = f"{_label(condition['field'])} {_(OP_LABELS[op])}"
    if value is None:
        return words
    return f"{words} {_shown(value)}"


def _outcome(facts: TicketFacts, condition: dict[str, Any]) -> Outcome:
    ok, actual = holds(facts, condition)
    text = describe(condition)
    if not ok and condition["op"] not in ("present", "absent", "changed", "not_changed"):
        text = _(
            "%(condition)s is not so (it is %(actual)s)", condition=text, actual=_shown(actual)
        )
    elif not ok:
        text = _("%(condition)s is not so", condition=text)
    return Outcome(ok, text)


def evaluate(conditions: dict[str, Any], facts: TicketFacts) -> Verdict:
    """All of `all` and, when `any` has conditions, at least one of them. Every condition
    is read (not only up to the first failure) so the explanation is complete."""
    every = [_outcome(facts, c) for c in conditions.get("all") or []]
    some = [_outcome(facts, c) for c in conditions.get("any") or []]
    all_ok = all(o.holds for o in every)
    any_ok = not some or any(o.holds for o in some)
    fires = all_ok and any_ok
    if fires:
        reasons = [o.text for o in every if o.holds] + [o.text for o in some if o.holds][:1]
        if not reasons:
            return Verdict(True, every + some, _("yes: the rule has no conditions"))
        because = _(" and ").join(reasons)
        return Verdict(True, every + some, _("yes, because %(reasons)s", reasons=because))
    failed = [o.text for o in every if not o.holds]
    if not any_ok:
        failed.append(_("none of the “any” conditions holds"))
    return Verdict(False, every + some, _("no: %(reasons)s", reasons="; ".join(failed)))


def fires(conditions: dict[str, Any], facts: TicketFacts) -> bool:
    """`evaluate(...).fires` without the explanation (the engine's question: no text is
    worded). Every condition is read, as `evaluate` reads them."""
    every = [holds(facts, c)[0] for c in conditions.get("all") or []]
    some = [holds(facts, c)[0] for c in conditions.get("any") or []]
    return all(every) and (not some or any(some))
