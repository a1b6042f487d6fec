"""The automation domain's tables (each area in its own subpackage)."""

from kefu.automation.assignment.models import (
    AgentCapacity,
    AgentStatus,
    AssignmentWait,
    TeamAssignment,
)
from kefu.automation.macros.models import Macro
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
    "AgentCapacity",
    "AgentStatus",
    "AssignmentWait",
    "AutomationMark",
    "Macro",
    "Rule",
    "RuleRun",
    "RuleWebhook",
    "TeamAssignment",
    "TicketClock",
    "TriggerChain",
    "WebhookDelivery",
]
