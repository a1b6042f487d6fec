"""The automation domain's tables (each area in its own subpackage)."""

from kefu.automation.rules.models import (
    AutomationMark,
    Rule,
    RuleRun,
    RuleWebhook,
    TicketClock,
    TriggerChain,
    WebhookDelivery,
)

__all__ = [
    "AutomationMark",
    "Rule",
    "RuleRun",
    "RuleWebhook",
    "TicketClock",
    "TriggerChain",
    "WebhookDelivery",
]
