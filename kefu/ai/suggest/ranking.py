"""The hybrid score of a suggestion: the sentence embedding's cosine between what the customer
asked and the candidate, plus a share of the customer's words the candidate contains.

Embeddings are kept per process by text (the model is deterministic), so macros, article
passages and the solved conversations seen once cost nothing the next time."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from kefu.ai import embedding
from kefu.ai.assistant.retrieval import search_words

WORD_WEIGHT = 0.15  # the full-text part of the hybrid score
CACHE_SIZE = 20_000  # texts (2 KB each: at most about 40 MB)
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def vectors(texts: Sequence[str]) -> np.ndarray:
    """The texts' embeddings, computing only those not seen before in this process."""
    keys = [_key(text) for text in texts]
    with _lock:
        known = {key: _cache[key] for key in keys if key in _cache}
        for key in known:
            _cache.move_to_end(key)
    todo = list(
        dict.fromkeys(text for text, key in zip(texts, keys, strict=True) if key not in known)
    )
    if todo:
        fresh = embedding.embed(todo)
        with _lock:
            for text, vector in zip(todo, fresh, strict=True):
                known[_key(text)] = _cache[_key(text)] = vector
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    if not texts:
        return np.zeros((0, embedding.DIMENSIONS), dtype=np.float32)
    return np.vstack([known[key] for key in keys])


def words(text: str) -> set[str]:
    """The words that matter for matching (no stop words; Chinese as two-character pieces)."""
    return set(search_words(text))


def overlap(asked: set[str], candidate: str) -> float:
    """The share of the customer's words found in the candidate (prefixes count: the
    search matches "refund" in "refunded")."""
    if not asked:
        return 0.0
    found = candidate.lower()
    return sum(1 for word in asked if word in found) / len(asked)


def scores(query: str, asked: set[str], candidates: Sequence[str]) -> list[float]:
    """Hybrid scores of each candidate against the query (cosine clipped to 0–1)."""
    if not candidates:
        return []
    found = vectors([query, *candidates])
    cosine = np.clip(found[1:] @ found[0], 0.0, 1.0)
    return [
        round(float(c) * (1 - WORD_WEIGHT) + WORD_WEIGHT * overlap(asked, text), 4)
        for c, text in zip(cosine, candidates, strict=True)
    ]
