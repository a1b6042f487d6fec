"""What the AI settings page shows: the live model and how well it did on the store's
held-out labelled tickets (accuracy, macro-F1, the confusion table), the taxonomy, the
readings by intent of the last 30 days. Computed here, displayed by the template."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from kefu.ai import insights, intents, llm, queries, switches
from kefu.kit.clock import utcnow

RECENT_DAYS = 30


@dataclass
class ModelCard:
    version: str
    is_trained: bool
    trained_at: Any = None
    seed_rows: int = 0
    labelled_rows: int = 0
    held_out_rows: int = 0
    threshold: float = queries.SEED_THRESHOLD
    metrics: dict[str, Any] = field(default_factory=dict)
    is_stale: bool = False  # the taxonomy changed since: tickets are read with the seeds


def model_card(session: Session) -> tuple[ModelCard, ModelCard | None]:
    """The live model, and the newest trained one when that is not live (stale)."""
    version = queries.current_version(session)
    row = queries.latest_model(session)
    trained = None
    if row is not None:
        trained = ModelCard(
            row.version, True, row.trained_at, row.seed_rows, row.labelled_rows,
            row.held_out_rows, row.threshold, dict(row.metrics or {}),
            is_stale=row.version != version,
        )  # fmt: skip
    if trained is not None and not trained.is_stale:
        return trained, None
    seeds = len(intents.seed_pairs(session))
    return ModelCard(version, False, seed_rows=seeds), trained


def confusion_rows(metrics: dict[str, Any], names: dict[str, str]) -> dict[str, Any] | None:
    """The confusion table with the intents' names, its diagonal marked."""
    table = metrics.get("confusion")
    if not table:
        return None
    labels = [names.get("other" if k == "oos" else k, k) for k in table["labels"]]
    rows = [
        {"label": labels[i], "cells": [{"count": c, "hit": i == j} for j, c in enumerate(row)],
         "total": sum(row)}
        for i, row in enumerate(table["table"])
    ]  # fmt: skip
    return {"labels": labels, "rows": rows}


def page_context(session: Session, language: str) -> dict[str, Any]:
    card, trained = model_card(session)
    names = intents.labels(session, language)
    shown = trained or card
    now = utcnow()
    return {
        "switches": switches.current(session),
        "endpoint_has_key": llm.has_key(session),
        "endpoint_timeout": llm.timeout_of(session),
        "features": switches.FEATURES,
        "card": card,
        "trained": trained,
        "confusion": confusion_rows(shown.metrics, names),
        "intents": intents.list_intents(session),
        "intent_names": names,
        "labelled": queries.labelled_count(session),
        "recent": insights.by_intent(session, since=now - timedelta(days=RECENT_DAYS), until=now),
        "recent_days": RECENT_DAYS,
    }
