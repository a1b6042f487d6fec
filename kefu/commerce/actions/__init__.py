"""Actions on orders (refund, cancel, address, return, exchange, resend, store credit),
checked by policy, idempotent, approved by managers above an agent's limit."""

from kefu.commerce.actions import (  # noqa: F401  each registers its ActionSpec
    address,
    approvals,
    cancel,
    credit,
    exchange,
    refund,
    resend,
    return_states,
    returns,
)
from kefu.commerce.actions.core import (
    ActionRefused,
    Outcome,
    action_by_key,
    new_key,
    parse_request,
    perform,
    preview,
    stored_checks,
)

__all__ = [
    "ActionRefused",
    "Outcome",
    "action_by_key",
    "approvals",
    "new_key",
    "parse_request",
    "perform",
    "preview",
    "return_states",
    "stored_checks",
]
