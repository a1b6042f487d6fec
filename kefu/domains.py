"""The list of domain packages: what is imported to know every table, handler and job."""

import importlib

DOMAINS = (
    "accounts",
    "customers",
    "tickets",
    "ingest",
    "channels.email",
    "channels.chat",
    "channels.phone",
    "commerce",
    "sla",
    "automation",
    "kb",
    "kb.helpcenter",
    "feedback",
    "workforce",
    "workforce.scheduling",
    "analytics",
    "analytics.reports",
    "ai",
    "ai.assistant",
    "ai.suggest",
    "api",
    "compliance",
)
_ROOMS = ("models", "jobs", "hooks")
CORE_MODULES = ("kefu.events", "kefu.dispatch_jobs")


def load_domains() -> None:
    """Import every domain's tables, jobs and hooks, so metadata, handlers, jobs and
    cross-domain hooks (customer merge) are complete."""
    for module in CORE_MODULES:
        importlib.import_module(module)
    for domain in DOMAINS:
        for room in _ROOMS:
            name = f"kefu.{domain}.{room}"
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
