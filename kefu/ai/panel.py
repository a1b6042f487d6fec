"""The AI panel beside a ticket: what was read from its latest customer message (intent
and how sure, sentiment, urgency and why, language) and the form to set the intent."""

from typing import Any

from sqlalchemy.orm import Session

from kefu.ai import insights, intents, switches
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.permissions import can
from kefu.tickets.panels import PanelTicket

SENTIMENTS = {"negative": N_("Negative"), "neutral": N_("Neutral"), "positive": N_("Positive")}
URGENCIES = {"high": N_("High"), "elevated": N_("Elevated"), "normal": N_("Normal")}
LANGUAGES = {"en": N_("English"), "zh": N_("Chinese"), "other": N_("Other")}
REASONS = {
    "legal": N_("legal threat"),
    "chargeback": N_("chargeback threat"),
    "bad_review": N_("bad review threat"),
    "complaint_threat": N_("complaint to an authority"),
    "angry": N_("angry"),
}


def ai_panel(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    on = switches.current(session)
    insight = insights.insight_of(session, ticket.id)
    if insight is None and not on.reads_messages:
        return None
    language = i18n.current_language.get()
    names = intents.labels(session, language)
    known = intents.list_intents(session)
    choices = [(i.key, i.label(language)) for i in known if i.is_active]
    choices.append(("other", names["other"]))
    gettext = i18n.gettext
    if insight is None:
        return {"read": False, "choices": choices, "can_set": can(actor, "tickets.update")}
    return {
        "read": True,
        "intent": insight.intent,
        "intent_name": names.get(insight.intent or "", insight.intent),
        "confidence": insight.intent_confidence,
        "by_agent": insight.intent_source == "agent",
        "sentiment": insight.sentiment,
        "sentiment_name": gettext(SENTIMENTS[insight.sentiment]) if insight.sentiment else None,
        "urgency": insight.urgency,
        "urgency_name": gettext(URGENCIES[insight.urgency]) if insight.urgency else None,
        "reasons": [gettext(REASONS.get(r, r)) for r in insight.urgency_reasons or []],
        "language": gettext(LANGUAGES.get(insight.language or "other", N_("Other"))),
        "choices": choices,
        "can_set": can(actor, "tickets.update"),
    }
