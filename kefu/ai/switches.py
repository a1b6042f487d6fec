"""The admin's per-feature switches for the offline AI (and the optional endpoint)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from kefu.ai.models import AiSettings
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import cached
from kefu.kit.i18n import N_
from kefu.permissions import require

MANAGE = "settings.manage"
FEATURES: dict[str, str] = {
    "intent": N_("Intent of customer messages"),
    "sentiment": N_("Sentiment of customer messages"),
    "urgency": N_("Urgency (threats, anger) of customer messages"),
    "suggestions": N_("Suggested replies for agents"),
    "summaries": N_("Summaries of long tickets"),
    "assistant": N_("Help-center assistant for customers"),
    "endpoint": N_("Use the OpenAI-compatible endpoint below for summaries and drafts"),
}
READING = ("intent", "sentiment", "urgency")  # what the message reader works out


@dataclass(frozen=True, slots=True)
class Switches:
    intent: bool = True
    sentiment: bool = True
    urgency: bool = True
    suggestions: bool = True
    summaries: bool = True
    assistant: bool = True
    endpoint: bool = False
    endpoint_url: str = ""
    endpoint_model: str = ""

    def on(self, feature: str) -> bool:
        return bool(getattr(self, feature))

    @property
    def reads_messages(self) -> bool:
        return any(self.on(feature) for feature in READING)


def current(session: Session) -> Switches:
    """The switches (all offline features on, the endpoint off, until an admin saves)."""

    def load() -> Switches:
        row = session.get(AiSettings, 1)
        if row is None:
            return Switches()
        return Switches(**{name: getattr(row, name) for name in Switches.__dataclass_fields__})

    return cached(session, "ai.switches", load)


def is_on(session: Session, feature: str) -> bool:
    """Whether an admin left this feature on ("summaries", "assistant", …)."""
    if feature not in FEATURES:
        raise ValueError(f"unknown AI feature {feature!r}")
    return current(session).on(feature)


def save(
    session: Session, *, actor: Actor, on: set[str], endpoint_url: str = "",
    endpoint_model: str = "",
) -> Switches:  # fmt: skip
    """Turn the named features on and every other off; the endpoint needs an http(s) URL."""
    require(actor, MANAGE)
    unknown = on - set(FEATURES)
    if unknown:
        raise InvalidInput(f"unknown AI feature: {', '.join(sorted(unknown))}")
    endpoint_url, endpoint_model = endpoint_url.strip(), endpoint_model.strip()
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(endpoint_url) > 500:
            raise InvalidInput("the endpoint must be an http:// or https:// address")
    if "endpoint" in on and not endpoint_url:
        raise InvalidInput("the endpoint is switched on but has no address")
    if len(endpoint_model) > 200:
        raise InvalidInput("the endpoint's model name is longer than 200 characters")
    row = session.get(AiSettings, 1)
    if row is None:
        row = AiSettings(id=1)
        session.add(row)
    for name in FEATURES:
        setattr(row, name, name in on)
    row.endpoint_url, row.endpoint_model = endpoint_url, endpoint_model
    session.flush()
    return current_uncached(row)


def current_uncached(row: AiSettings) -> Switches:
    return Switches(**{name: getattr(row, name) for name in Switches.__dataclass_fields__})
