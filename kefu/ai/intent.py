"""The intent classifier: TF-IDF of words and characters beside a sentence embedding, one
logistic regression over both, and an out-of-scope answer below a calibrated score (the
energy of the regression's logits once a labelled set calibrated it, else the probability).
Each intent's own name ("check_invoice" → "check invoice") is one more, weighted, example of
it: with ten examples per intent the name is often the only text that says which of two
near intents is meant."""

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import logsumexp, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from kefu.ai import embedding

OUT_OF_SCOPE = "oos"
_NUMBER = re.compile(r"\d+")
_SEPARATORS = re.compile(r"[_\-./]+")
# a name counts as this many examples (measured on Bitext 10-shot, other draws than the
# benchmark's: 0 → 0.936, 1 → 0.954, 3 → 0.957 macro-F1) while its intent has FEW examples
# or fewer; beyond that it weighs in proportion less: a prior that matters when a store has
# labelled little and fades as its own examples speak (on CLINC150, 100 examples an intent,
# a full-weight name blurred the confidences: out-of-scope recall 0.890 → 0.860)
NAME_WEIGHT = 3.0
FEW = 10
# What the out-of-scope threshold is compared with. "probability": the best intent's
# probability, an absolute scale, for a model no labelled set calibrated (the seeds' 0.4).
# "energy": log Σ exp(logit) over the intents (Liu et al. 2020, energy-based out-of-distribution
# detection), what `calibrate` sets: the probability only says how much the best intent beats
# the others, the energy also how strongly the message matches any intent at all; a message
# that matches none gets low logits everywhere and can still have one clear winner. CLINC150,
# threshold calibrated on its validation file: out-of-scope recall 0.890 → 0.950 at in-scope
# accuracy 0.933 → 0.932; calibrated on half the validation file, tested on the other half:
# 0.901 → 0.959 at 0.901 (docs/ai.md has the others tried)
PROBABILITY, ENERGY = "probability", "energy"
SCORES = (PROBABILITY, ENERGY)


def normalise(text: str) -> str:
    """Lower case, every number one token: an order number says nothing about the intent."""
    return _NUMBER.sub("0", text.lower())


def name_text(intent: str) -> str:
    """An intent id read as words: "change_shipping_address" → "change shipping address"."""
    return _SEPARATORS.sub(" ", intent).strip()


@dataclass(frozen=True)
class Prediction:
    intent: str  # OUT_OF_SCOPE when `score` is under the threshold
    confidence: float  # the model's probability of its best in-scope intent
    best: str  # that best in-scope intent, even when the answer is out of scope
    score: float  # what the threshold was compared with (the classifier's `score` kind)


class IntentClassifier:
    """Train with `fit`, answer with `predict`; the same object classifies an evaluation
    CSV and live tickets. `embed` is swappable so tests and experiments can reuse vectors."""

    def __init__(
        self,
        *,
        c: float = 100.0,
        embedding_weight: float = 2.0,
        threshold: float = 0.0,
        score: str = PROBABILITY,
        embed: Callable[[Sequence[str]], np.ndarray] | None = None,
        solver: str = "newton-cg",
        max_features: int = 30_000,
        name_weight: float = NAME_WEIGHT,
    ) -> None:
        self.c = c
        self.embedding_weight = embedding_weight
        if score not in SCORES:
            raise ValueError(f"unknown out-of-scope score {score!r}")
        self.threshold = threshold
        self.score = score
        self.name_weight = name_weight
        self.embed = embed or embedding.embed
        # capped vocabularies bound the model's memory (intents x features weights, and the
        # solver's copies of them) on large training sets; few-shot sets never reach the cap
        self.words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, preprocessor=normalise,
            max_features=max_features // 3,
        )  # fmt: skip
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=normalise,
            max_features=max_features,
        )  # fmt: skip
        self.model = LogisticRegression(C=c, solver=solver, max_iter=3000)

    def __setstate__(self, state: dict) -> None:
        # a model pickled before the energy score compared its threshold with probabilities
        self.__dict__.update({"score": PROBABILITY} | state)

    @property
    def intents(self) -> list[str]:
        return [str(label) for label in self.model.classes_]

    def features(
        self, texts: Sequence[str], *, fit: bool = False, vectors: np.ndarray | None = None
    ) -> sparse.csr_matrix:
        """Its input: TF-IDF of words and characters and the (weighted) embedding; pass
        `vectors` when the embeddings of `texts` are already at hand."""
        if fit:
            words, chars = self.words.fit_transform(texts), self.chars.fit_transform(texts)
        else:
            words, chars = self.words.transform(texts), self.chars.transform(texts)
        parts = [words, chars]
        if self.embedding_weight:
            vectors = self.embed(texts) if vectors is None else vectors
            parts.append(sparse.csr_matrix(vectors * self.embedding_weight))
        return sparse.hstack(parts, format="csr")

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> "IntentClassifier":
        """Learn the in-scope intents and their names; rows labelled `oos` are left out (a
        threshold on confidence finds out-of-scope messages far better than an `oos` class
        would)."""
        pairs = [(t, i) for t, i in zip(texts, intents, strict=True) if i != OUT_OF_SCOPE]
        names = sorted({i for _, i in pairs})
        if len(names) < 2:
            raise ValueError("need examples of at least two intents")
        weights = [1.0] * len(pairs)
        if self.name_weight:
            counts = Counter(i for _, i in pairs)
            named = [i for i in names if name_text(i)]
            pairs += [(name_text(i), i) for i in named]
            weights += [self.weight_of_name(counts[i]) for i in named]
        kept_texts = [t for t, _ in pairs]
        self.model.fit(
            self.features(kept_texts, fit=True), [i for _, i in pairs], sample_weight=weights
        )
        return self

    def weight_of_name(self, examples: int) -> float:
        """How many examples an intent's name counts as, beside `examples` of its own."""
        return self.name_weight * min(1.0, FEW / max(1, examples))

    def logits(self, texts: Sequence[str], *, vectors: np.ndarray | None = None) -> np.ndarray:
        """The regression's logits, one column per intent (two columns with two intents)."""
        return as_columns(self.model.decision_function(self.features(texts, vectors=vectors)))

    def predict(
        self, texts: Sequence[str], *, vectors: np.ndarray | None = None
    ) -> list[Prediction]:
        """Each text's intent, or `oos` under the threshold: `kefu ai eval` and live tickets
        (pass `vectors` when the embeddings of `texts` are already at hand)."""
        return self.decide(self.logits(texts, vectors=vectors))

    def decide(self, logits: np.ndarray) -> list[Prediction]:
        probabilities = softmax(logits, axis=1)
        best = probabilities.argmax(axis=1)
        confidence = probabilities[np.arange(len(best)), best]
        scores = in_scope_scores(logits, self.score)
        intents = self.intents
        return [
            Prediction(
                intent=intents[b] if s >= self.threshold else OUT_OF_SCOPE,
                confidence=float(p),
                best=intents[b],
                score=float(s),
            )
            for b, p, s in zip(best, confidence, scores, strict=True)
        ]

    def calibrate(
        self,
        texts: Sequence[str],
        intents: Sequence[str],
        *,
        in_scope_accuracy: float = 0.90,
        score: str = ENERGY,
    ) -> float:
        """Compare `score` with a threshold from now on, set to the highest value that still
        keeps the accuracy on the in-scope rows of this held-out set at `in_scope_accuracy`
        or more (so as many out-of-scope messages as possible fall under it). Its `oos` rows
        are not used: the threshold does not learn what out of scope looks like."""
        if score not in SCORES:
            raise ValueError(f"unknown out-of-scope score {score!r}")
        logits = self.logits(texts)
        best = self.model.classes_[logits.argmax(axis=1)]
        self.score = score
        self.threshold = choose_threshold(
            in_scope_scores(logits, score), best, np.array(intents), in_scope_accuracy
        )
        return self.threshold


def as_columns(logits: np.ndarray) -> np.ndarray:
    """A two-intent regression gives one logit d per row, the second intent's odds: as the
    columns (-d/2, d/2) its softmax is the same probability and its energy is symmetric."""
    if logits.ndim == 1:
        return np.column_stack([-logits / 2, logits / 2])
    return logits


def in_scope_scores(logits: np.ndarray, score: str) -> np.ndarray:
    """How in scope each row is, higher is surer: the best probability, or the energy."""
    if score == ENERGY:
        return logsumexp(logits, axis=1)
    return softmax(logits, axis=1).max(axis=1)


LOWER_BOUND_Z = 1.645  # one-sided 95 %


def choose_threshold(
    scores: np.ndarray, best: np.ndarray, truth: np.ndarray, target: float
) -> float:
    """The highest threshold on `scores` at which the in-scope rows of `truth` whose `best`
    intent is right and whose score reaches the threshold are `target` of them or more —
    on new messages, not only on these: the share must clear `target` by its sampling
    error (a one-sided 95 % lower bound, so about 0.009 on 3,000 rows, more on fewer)."""
    in_scope = truth != OUT_OF_SCOPE
    if not in_scope.any():  # nothing to keep: no row of this set falls under it
        return float(scores.min(initial=0.0))
    confidence = scores[in_scope]
    correct = best[in_scope] == truth[in_scope]
    # raising the threshold only ever turns in-scope answers into "oos": accuracy falls
    # monotonically, so the answer is the last candidate that still meets the target
    # (when even the lowest misses the target, it keeps every row: the most accuracy there is)
    candidates = np.unique(confidence)
    chosen = float(candidates[0])
    rows = len(confidence)
    for candidate in candidates:
        kept = float((correct & (confidence >= candidate)).mean())
        if kept - LOWER_BOUND_Z * np.sqrt(kept * (1 - kept) / rows) >= target:
            chosen = float(candidate)
        else:
            break
    return chosen
