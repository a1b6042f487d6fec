"""Sentiment of a customer message: one logistic regression over hashed character 1-3-grams
weighted by their naive-Bayes log-count ratio (NB-LR) and the sentence embedding. Trained
offline (bench/ai_sentiment_model.py) on Chinese shop reviews and kefu's English seed, and
shipped as its weights (kefu/ai/data/sentiment.npz)."""

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from kefu.ai import embedding

MODEL_FILE = "sentiment.npz"
N_FEATURES = 2**18
EMBEDDING_WEIGHT = 1.0
# between these probabilities of "negative" a message is neutral: most customer messages
# are plain questions, neither a complaint nor praise
NEGATIVE_FROM, POSITIVE_BELOW = 0.7, 0.3
_NUMBER = re.compile(r"\d+")
_lock = threading.Lock()
_weights: dict[str, np.ndarray] | None = None


@dataclass(frozen=True)
class Sentiment:
    label: str  # "negative", "neutral" or "positive"
    negative_probability: float


def _normalise(text: str) -> str:
    return _NUMBER.sub("0", text.lower())


_chars = HashingVectorizer(
    analyzer="char", ngram_range=(1, 3), n_features=N_FEATURES, alternate_sign=False,
    preprocessor=_normalise,
)  # fmt: skip


def _present(texts: Sequence[str]) -> sparse.csr_matrix:
    return (_chars.transform(texts) > 0).astype(np.float32)


def features(texts: Sequence[str], vectors: np.ndarray, ratio: np.ndarray) -> sparse.csr_matrix:
    chars = normalize(sparse.csr_matrix(_present(texts).multiply(ratio)))
    return sparse.hstack([chars, sparse.csr_matrix(vectors * EMBEDDING_WEIGHT)], format="csr")


def train(
    texts: Sequence[str], labels: Sequence[str], vectors: np.ndarray, *, c: float = 10.0
) -> dict[str, np.ndarray]:
    """The shipped weights, from texts labelled "neg" or "pos"."""
    negative = np.array([label == "neg" for label in labels])
    present = _present(texts)
    p = np.asarray(present[negative].sum(axis=0)).ravel() + 1
    q = np.asarray(present[~negative].sum(axis=0)).ravel() + 1
    ratio = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(features(texts, vectors, ratio), negative)
    return {"ratio": ratio, "coef": model.coef_[0].astype(np.float32),
            "intercept": model.intercept_.astype(np.float32)}  # fmt: skip


def _load() -> dict[str, np.ndarray]:
    global _weights
    with _lock:
        if _weights is None:
            path = resources.files("kefu.ai").joinpath("data", MODEL_FILE)
            with path.open("rb") as file, np.load(file) as data:
                _weights = {key: data[key] for key in data.files}
    return _weights


def negative_probability(
    texts: Sequence[str], *, vectors: np.ndarray | None = None,
    embed: Callable[[Sequence[str]], np.ndarray] = embedding.embed,
    weights: dict[str, np.ndarray] | None = None,
) -> np.ndarray:  # fmt: skip
    """P(negative) per text; pass `vectors` when the embeddings are already at hand."""
    return probability(weights or _weights or _load(), texts,
                        embed(texts) if vectors is None else vectors)  # fmt: skip


def probability(weights: dict[str, np.ndarray], texts: Sequence[str], vectors: np.ndarray):
    scores = features(texts, vectors, weights["ratio"]) @ weights["coef"] + weights["intercept"]
    return 1 / (1 + np.exp(-scores))


def classify(texts: Sequence[str], *, vectors: np.ndarray | None = None) -> list[Sentiment]:
    return [
        Sentiment(label(float(p)), round(float(p), 4))
        for p in negative_probability(texts, vectors=vectors)
    ]


def label(negative: float) -> str:
    if negative >= NEGATIVE_FROM:
        return "negative"
    return "positive" if negative < POSITIVE_BELOW else "neutral"
