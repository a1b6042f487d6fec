"""Training the store's intent classifier: the taxonomy's seed examples plus the tickets
whose intent an agent set or corrected. Part of those tickets is held out: the threshold is
calibrated on one half of it and accuracy, macro-F1 and the confusion table measured on the
other; the saved model then learns from every labelled ticket with that threshold."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.ai import embedding, intents, live, queries
from kefu.ai.evaluation import scores
from kefu.ai.intent import OUT_OF_SCOPE, PROBABILITY, IntentClassifier
from kefu.ai.models import IntentModel, TicketInsight
from kefu.ai.taxonomy import OTHER
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets import loading as tickets_loading

Report = Callable[[str, int, int], None]
HELD_OUT = 0.2  # of the labelled tickets for measuring, as much again for calibrating
MIN_TO_MEASURE = 10  # fewer labelled tickets than this: trained, not measured
# a threshold chosen on a handful of tickets only fits those: fewer calibration tickets
# than this keep the seeds' threshold
MIN_TO_CALIBRATE = 30
MAX_LABELLED = 20_000  # the newest labels; more would not fit 2 cores' training time


@dataclass(frozen=True, slots=True)
class Labelled:
    texts: list[str]
    intents: list[str]  # OUT_OF_SCOPE where an agent said "other"


def labelled_tickets(session: Session) -> Labelled:
    """The text each agent label was given against, with the label (intents switched off
    since are left out; "other" is an out-of-scope example)."""
    rows = session.execute(
        select(TicketInsight.label_message_id, TicketInsight.intent)
        .where(TicketInsight.intent_source == "agent", TicketInsight.label_message_id.is_not(None))
        .order_by(TicketInsight.ticket_id.desc())
        .limit(MAX_LABELLED)
    ).all()
    active = {i.key for i in intents.list_intents(session, active_only=True)} | {OTHER.id}
    rows = [r for r in rows if r.intent in active]
    found = tickets_loading.messages_by_ids(session, (r.label_message_id for r in rows))
    texts, labels = [], []
    for row in reversed(rows):
        message = found.get(row.label_message_id)
        if message is not None and message.body_text.strip():
            texts.append(message.body_text.strip()[:5000])
            labels.append(OUT_OF_SCOPE if row.intent == OTHER.id else row.intent)
    return Labelled(texts, labels)


def split(labels: Sequence[str], seed: int = 0) -> tuple[list[int], list[int], list[int]]:
    """Indexes for training, calibrating and measuring: per label, HELD_OUT of its tickets
    to each held-out part (none of a label with fewer than three)."""
    rng = np.random.default_rng(seed)
    train, calibrate, test = [], [], []
    array = np.array(labels)
    for label in sorted(set(labels)):
        where = rng.permutation(np.flatnonzero(array == label)).tolist()
        out = max(round(len(where) * HELD_OUT), 1) if len(where) >= 3 else 0
        test += where[:out]
        calibrate += where[out : 2 * out]
        train += where[2 * out :]
    return sorted(train), sorted(calibrate), sorted(test)


def _vectors(texts: list[str], report: Report | None) -> Callable[[Sequence[str]], np.ndarray]:
    """Each text embedded once (the fits below ask for the same texts again)."""
    known: dict[str, np.ndarray] = {}
    unique = list(dict.fromkeys(texts))
    for start in range(0, len(unique), embedding.BATCH):
        part = unique[start : start + embedding.BATCH]
        known.update(zip(part, embedding.embed(part), strict=True))
        if report:
            report("embedding", min(start + embedding.BATCH, len(unique)), len(unique))

    def embed(batch: Sequence[str]) -> np.ndarray:
        missing = [t for t in batch if t not in known]
        if missing:
            known.update(zip(missing, embedding.embed(missing), strict=True))
        return np.vstack([known[t] for t in batch]) if batch else embedding.embed([])

    return embed


def confusion(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, object]:
    labels = sorted(set(truth) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    table = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        table[index[t]][index[p]] += 1
    return {"labels": labels, "table": table}


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """What a model learns from, read in a short transaction."""

    fingerprint: str
    seed_texts: list[str]
    seed_intents: list[str]
    labelled: Labelled


def collect(session: Session) -> TrainingSet:
    seeds = intents.seed_pairs(session)
    return TrainingSet(intents.fingerprint(session), [t for t, _ in seeds],
                       [i for _, i in seeds], labelled_tickets(session))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Trained:
    classifier: IntentClassifier
    data: TrainingSet
    threshold: float
    held_out: int
    metrics: dict[str, object]


def fit(data: TrainingSet, *, report: Report | None = None, seed: int = 0) -> Trained:
    """Measure on the held-out part, then learn from everything (no database: call it with
    no transaction open, it takes seconds to minutes)."""
    labelled = data.labelled
    embed = _vectors(data.seed_texts + labelled.texts, report)
    metrics: dict[str, object] = {"taxonomy": data.fingerprint}
    threshold, score, held_out = queries.SEED_THRESHOLD, PROBABILITY, 0
    if len(labelled.texts) >= MIN_TO_MEASURE:
        part_train, part_calibrate, part_test = split(labelled.intents, seed)

        def pick(indexes: list[int], values: list[str]) -> list[str]:
            return [values[i] for i in indexes]

        measuring = IntentClassifier(embed=embed, threshold=threshold)
        measuring.fit(data.seed_texts + pick(part_train, labelled.texts),
                      data.seed_intents + pick(part_train, labelled.intents))  # fmt: skip
        if report:
            report("measuring", 1, 2)
        if len(part_calibrate) >= MIN_TO_CALIBRATE:
            threshold = measuring.calibrate(pick(part_calibrate, labelled.texts),
                                            pick(part_calibrate, labelled.intents))  # fmt: skip
            score = measuring.score
        truth = pick(part_test, labelled.intents)
        predicted = [p.intent for p in measuring.predict(pick(part_test, labelled.texts))]
        if truth:
            metrics |= scores(truth, predicted) | {"confusion": confusion(truth, predicted)}
        held_out = len(part_calibrate) + len(part_test)
        metrics |= {"test_rows": len(truth), "calibration_rows": len(part_calibrate)}
        if report:
            report("measuring", 2, 2)
    metrics["out_of_scope_score"] = score
    final = IntentClassifier(embed=embed, threshold=threshold, score=score)
    final.fit(data.seed_texts + labelled.texts, data.seed_intents + labelled.intents)
    final.embed = embedding.embed
    if report:
        report("learning", 1, 1)
    return Trained(final, data, float(threshold), held_out, metrics)


def save(session: Session, trained: Trained, *, key: str, trained_by: str) -> IntentModel:
    """The trained model as the newest (live) one, signed with the instance key."""
    blob, signature = live.dump(trained.classifier, key)
    now = utcnow()
    data = trained.data
    row = IntentModel(
        version=f"{now:%Y%m%d-%H%M%S%f}-{data.fingerprint[:8]}", trained_at=now,
        trained_by=trained_by, seed_rows=len(data.seed_texts),
        labelled_rows=len(data.labelled.texts), held_out_rows=trained.held_out,
        threshold=round(trained.threshold, 4), metrics=trained.metrics, blob=blob,
        signature=signature,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def train_and_save(
    database: Database, *, key: str, actor: Actor, report: Report | None = None,
    only_when_needed: bool = False,
) -> IntentModel | None:  # fmt: skip
    """Read, learn with no transaction open, save: `kefu ai train` and the nightly job."""
    with database.sessions() as session:
        if only_when_needed and not queries.needs_training(session):
            return None
        data = collect(session)
    trained = fit(data, report=report)
    with database.unit_of_work(actor=actor) as session:
        return save(session, trained, key=key, trained_by=actor.ref)
