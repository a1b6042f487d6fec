"""Roles and the one permission check that routes, the API and the CLI all call."""

from enum import StrEnum

from kefu.errors import PermissionDenied
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    AGENT = "agent"
    LIGHT_AGENT = "light_agent"  # other departments: read and add internal notes only


ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.MANAGER: N_("Manager"),
    Role.AGENT: N_("Agent"),
    Role.LIGHT_AGENT: N_("Light agent"),
}

READ = {"tickets.read", "tickets.note", "customers.read", "kb.read", "profile.manage"}
WORK = READ | {
    "tickets.reply",
    "tickets.update",
    "customers.update",
    "orders.act",
    "macros.use",
    "kb.write",
    "api_tokens.own",
}
LEAD = WORK | {
    "teams.manage",
    "macros.manage",
    "rules.manage",
    "reports.read",
    "workforce.manage",
    "quality.manage",
    "orders.approve",
    "kb.manage",
}
EVERYTHING = LEAD | {
    "agents.manage",
    "settings.manage",
    "mailboxes.manage",
    "audit.read",
    "compliance.manage",
    "tickets.delete",
}

PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.LIGHT_AGENT: frozenset(READ),
    Role.AGENT: frozenset(WORK),
    Role.MANAGER: frozenset(LEAD),
    Role.ADMIN: frozenset(EVERYTHING),
}


def can(actor: Actor | None, permission: str) -> bool:
    if actor is None:
        return False
    if actor.kind in ("system", "job"):
        return True
    if actor.role is None:
        return False
    return permission in PERMISSIONS.get(Role(actor.role), frozenset())


def require(actor: Actor | None, permission: str) -> None:
    """Raise PermissionDenied unless the actor's role grants the permission."""
    if not can(actor, permission):
        raise PermissionDenied(f"your role does not allow this ({permission})")
