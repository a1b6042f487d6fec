"""The automation domain's tables; each part keeps them in its own module."""

from kefu.automation.assignment.models import (
    AgentCapacity,
    AgentStatus,
    AssignmentWait,
    TeamAssignment,
)
from kefu.automation.macros.models import Macro

__all__ = ["AgentCapacity", "AgentStatus", "AssignmentWait", "Macro", "TeamAssignment"]
