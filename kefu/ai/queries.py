"""The ai domain's light read side (no numpy or scikit-learn is imported here, so pages,
rules and handlers that only read stay quick to import): the live model's version, the
newest trained model, how many tickets agents labelled."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.ai import intents
from kefu.ai.models import IntentModel, TicketInsight
from kefu.kit.clock import as_utc

# below this probability the answer is "other" for a model no labelled tickets calibrated
# (kefu.ai.service explains the figure)
SEED_THRESHOLD = 0.4


def seed_version(session: Session) -> str:
    return f"seed-{intents.fingerprint(session)}"


def latest_model(session: Session) -> IntentModel | None:
    """The newest trained model (its blob is loaded only when read)."""
    return session.scalar(select(IntentModel).order_by(IntentModel.id.desc()).limit(1))


def current_version(session: Session) -> str:
    """The version live tickets are read with: the newest trained model when it learned the
    current taxonomy, else the taxonomy's seeds."""
    row = session.execute(
        select(IntentModel.version, IntentModel.metrics).order_by(IntentModel.id.desc()).limit(1)
    ).first()
    if row is not None and (row.metrics or {}).get("taxonomy") == intents.fingerprint(session):
        return str(row.version)
    return seed_version(session)


def labelled_count(session: Session) -> int:
    """How many tickets carry an agent's intent (what the next model learns from)."""
    statement = select(func.count()).select_from(TicketInsight)
    return int(session.scalar(statement.where(TicketInsight.intent_source == "agent")) or 0)


def needs_training(session: Session) -> bool:
    """Whether the taxonomy or the agents' labels changed since the newest model."""
    row = latest_model(session)
    last_label = session.scalar(
        select(func.max(TicketInsight.labelled_at)).where(TicketInsight.intent_source == "agent")
    )
    if row is None:
        return last_label is not None
    if (row.metrics or {}).get("taxonomy") != intents.fingerprint(session):
        return True
    return last_label is not None and as_utc(last_label) > as_utc(row.trained_at)
