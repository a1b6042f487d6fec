"""Actions as the API and the pages show them."""

from __future__ import annotations

from kefu.commerce.action_schemas import CheckRead, ChecksRead, OrderActionRead
from kefu.commerce.actions.core import stored_checks
from kefu.commerce.checks import Evaluation
from kefu.commerce.facts import Check
from kefu.commerce.models import OrderAction


def check_reads(checks: list[Check]) -> list[CheckRead]:
    return [CheckRead(rule=c.rule, outcome=c.outcome, text=c.text) for c in checks]  # type: ignore[arg-type]


def action_read(action: OrderAction, *, replayed: bool = False) -> OrderActionRead:
    return OrderActionRead(
        id=action.id,
        order_id=action.order_id,
        ticket_id=action.ticket_id,
        kind=action.kind,
        status=action.status,
        amount_minor=action.amount_minor,
        currency=action.currency,
        request=action.request,
        result=action.result,
        checks=check_reads(stored_checks(action)),
        error=action.error,
        decision_reason=action.decision_reason,
        requested_by_id=action.requested_by_id,
        decided_by_id=action.decided_by_id,
        decided_at=action.decided_at,
        created_at=action.created_at,
        replayed=replayed,
    )


def checks_read(evaluation: Evaluation, currency: str) -> ChecksRead:
    return ChecksRead(
        allowed=evaluation.allowed,
        needs_approval=evaluation.needs_approval,
        amount_minor=evaluation.amount_minor,
        currency=currency,
        checks=check_reads(evaluation.checks),
    )
