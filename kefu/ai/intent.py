"""The intent classifier: TF-IDF of words and characters beside a sentence embedding, one
logistic regression over both, and an out-of-scope answer below a calibrated confidence.
Each intent's own name ("check_invoice" → "check invoice") is one more, weighted, example of
it: with ten examples per intent the name is often the only text that says which of two
near intents is meant."""

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
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


def normalise(text: str) -> str:
    """Lower case, every number one token: an order number says nothing about the intent."""
    return _NUMBER.sub("0", text.lower())


def name_text(intent: str) -> str:
    """An intent id read as words: "change_shipping_address" → "change shipping address"."""
    return _SEPARATORS.sub(" ", intent).strip()


@dataclass(frozen=True)
class Prediction:
    intent: str  # OUT_OF_SCOPE when the best intent's confidence is under the threshold
    confidence: float  # the model's probability of its best in-scope intent
    best: str  # that best in-scope intent, even when the answer is out of scope


class IntentClassifier:
    """Train with `fit`, answer with `predict`; the same object classifies an evaluation
    CSV and live tickets. `embed` is swappable so tests and experiments can reuse vectors."""

    def __init__(
        self,
        *,
        c: float = 100.0,
        embedding_weight: float = 2.0,
        threshold: float = 0.0,
        embed: Callable[[Sequence[str]], np.ndarray] | None = None,
        solver: str = "newton-cg",
        max_features: int = 30_000,
        name_weight: float = NAME_WEIGHT,
    ) -> None:
        self.c = c
        self.embedding_weight = embedding_weight
        self.threshold = threshold
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

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.predict_proba(self.features(texts))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return self.decide(self.probabilities(texts))

    def decide(self, probabilities: np.ndarray) -> list[Prediction]:
        best = probabilities.argmax(axis=1)
        confidence = probabilities[np.arange(len(best)), best]
        intents = self.intents
        return [
            Prediction(
                intent=intents[b] if p >= self.threshold else OUT_OF_SCOPE,
                confidence=float(p),
                best=intents[b],
            )
            for b, p in zip(best, confidence, strict=True)
        ]

    def calibrate(
        self, texts: Sequence[str], intents: Sequence[str], *, in_scope_accuracy: float = 0.90
    ) -> float:
        """Set the out-of-scope threshold to the highest confidence that still keeps the
        accuracy on the in-scope rows of this held-out set at `in_scope_accuracy` or more
        (so as many out-of-scope messages as possible fall under it)."""
        probabilities = self.probabilities(texts)
        self.threshold = choose_threshold(
            probabilities, np.array(intents), self.model.classes_, in_scope_accuracy
        )
        return self.threshold


def choose_threshold(
    probabilities: np.ndarray, truth: np.ndarray, classes: np.ndarray, target: float
) -> float:
    in_scope = truth != OUT_OF_SCOPE
    if not in_scope.any():
        return 0.0
    best = probabilities[in_scope].argmax(axis=1)
    confidence = probabilities[in_scope][np.arange(len(best)), best]
    correct = classes[best] == truth[in_scope]
    # raising the threshold only ever turns in-scope answers into "oos": accuracy falls
    # monotonically, so the answer is the last candidate that still meets the target
    chosen = 0.0
    for candidate in np.unique(confidence):
        if (correct & (confidence >= candidate)).mean() >= target:
            chosen = float(candidate)
        else:
            break
    return chosen
