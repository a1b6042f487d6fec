"""The intent classifier live tickets are read with: the newest trained model when it was
trained on the current taxonomy, else one learned from the taxonomy's seed examples. Loaded
once per process and version, and shared by every caller."""

import hashlib
import hmac
import logging
import pickle
import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.ai import embedding, intents, queries
from kefu.ai.intent import IntentClassifier
from kefu.ai.models import IntentModel

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict[str, IntentClassifier] = {}


def sign(blob: bytes, key: str) -> str:
    return hmac.new(key.encode(), blob, hashlib.sha256).hexdigest()


def dump(classifier: IntentClassifier, key: str) -> tuple[bytes, str]:
    """The fitted classifier as bytes, and their signature with the instance key."""
    embed, classifier.embed = classifier.embed, None  # type: ignore[assignment]
    try:
        blob = pickle.dumps(classifier, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        classifier.embed = embed
    return blob, sign(blob, key)


def load(blob: bytes, signature: str, key: str) -> IntentClassifier:
    """Unpickles only what this instance signed: a row written by anyone else is refused."""
    if not hmac.compare_digest(sign(blob, key), signature):
        raise ValueError("the stored intent model's signature does not match this instance")
    classifier = pickle.loads(blob)  # noqa: S301 - signed by this instance above
    if not isinstance(classifier, IntentClassifier):
        raise ValueError("the stored intent model is not an intent classifier")
    classifier.embed = embedding.embed
    return classifier


def seed_classifier(pairs: list[tuple[str, str]]) -> IntentClassifier:
    classifier = IntentClassifier(threshold=queries.SEED_THRESHOLD)
    return classifier.fit([t for t, _ in pairs], [i for _, i in pairs])


@dataclass(frozen=True, slots=True)
class Source:
    """What the live classifier is made from, read in a short transaction: nothing when
    this process has its version already, else the seeds or the stored model."""

    version: str
    seeds: list[tuple[str, str]] = field(default_factory=list)
    blob: bytes | None = None
    signature: str = ""


def source(session: Session) -> Source:
    version = queries.current_version(session)
    if version in _loaded:
        return Source(version)
    if version.startswith("seed-"):
        return Source(version, seeds=intents.seed_pairs(session))
    row = session.execute(
        select(IntentModel.blob, IntentModel.signature).where(IntentModel.version == version)
    ).first()
    if row is None:
        return Source(queries.seed_version(session), seeds=intents.seed_pairs(session))
    return Source(version, seeds=intents.seed_pairs(session), blob=row.blob,
                  signature=row.signature)  # fmt: skip


def build(found: Source, *, key: str) -> tuple[IntentClassifier, str]:
    """The classifier of `found` (trained or unpickled on first use per version; call it
    with no transaction open: learning the seeds takes seconds)."""
    with _lock:
        classifier = _loaded.get(found.version)
        if classifier is not None:
            return classifier, found.version
        version = found.version
        if found.blob is None:
            classifier = seed_classifier(found.seeds)
        else:
            try:
                classifier = load(found.blob, found.signature, key)
            except (ValueError, pickle.UnpicklingError, AttributeError) as exc:
                log.error("intent model %s cannot be used (%s); reading with the seeds",
                          version, exc)  # fmt: skip
                version = "seed-unsigned"
                classifier = seed_classifier(found.seeds)
        _loaded.clear()  # one model per process: an old version is not used again
        _loaded[version] = classifier
        return classifier, version


def classifier(session: Session, *, key: str) -> tuple[IntentClassifier, str]:
    """The live classifier and its version (outside request or job paths)."""
    return build(source(session), key=key)
