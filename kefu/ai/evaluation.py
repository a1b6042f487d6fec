"""`kefu ai eval`: train the intent classifier on one labelled CSV and measure it on another,
through the same classifier that labels live tickets."""

import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from kefu.ai import embedding
from kefu.ai.intent import OUT_OF_SCOPE, IntentClassifier
from kefu.ai.labelled import draw_shots, read_labelled
from kefu.errors import InvalidInput

# Progress is reported as (what, done, total); the CLI draws it as a bar.
Report = Callable[[str, int, int], None]
CHUNK = 256


@dataclass
class Evaluation:
    train: Path
    test: Path
    calibration: Path | None = None
    shots: int | None = None
    seed: int = 0


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM, because getrusage's ru_maxrss
    carries the parent's peak across fork and exec (a benchmark's child would report the
    benchmark's memory)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def embedder(report: Report | None, what: str) -> Callable[[Sequence[str]], np.ndarray]:
    """embedding.embed in chunks, telling `report` how far it got."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), CHUNK):
            parts.append(embedding.embed(texts[start : start + CHUNK]))
            if report:
                report(what, min(start + CHUNK, len(texts)), len(texts))
        return np.vstack(parts) if parts else embedding.embed([])

    return embed


def run(options: Evaluation, *, report: Report | None = None) -> dict[str, float | int]:
    train_texts, train_intents = read_labelled(options.train)
    test_texts, test_intents = read_labelled(options.test)
    calibration = read_labelled(options.calibration) if options.calibration else None
    if options.shots is not None:
        if options.shots < 1:
            raise InvalidInput("--shots must be 1 or more")
        keep = draw_shots(train_intents, options.shots, options.seed)
        train_texts = [train_texts[i] for i in keep]
        train_intents = [train_intents[i] for i in keep]
    if len(set(train_intents) - {OUT_OF_SCOPE}) < 2:
        raise InvalidInput(f"{options.train}: needs examples of at least two intents")

    began = time.perf_counter()
    embedding.load()
    load_seconds = time.perf_counter() - began

    classifier = IntentClassifier(embed=embedder(report, "training"))
    classifier.fit(train_texts, train_intents)
    if calibration:
        classifier.embed = embedder(report, "calibrating")
        classifier.calibrate(*calibration)

    classifier.embed = embedder(report, "classifying")
    began = time.perf_counter()
    predictions = classifier.predict(test_texts)
    per_second = len(test_texts) / (time.perf_counter() - began)
    classifier.embed = embedding.embed
    singles = []
    for text in test_texts[:20]:
        began = time.perf_counter()
        classifier.predict([text])
        singles.append(time.perf_counter() - began)

    result = scores(test_intents, [p.intent for p in predictions])
    result |= {
        "train_rows": len(train_texts),
        "test_rows": len(test_texts),
        "threshold": round(classifier.threshold, 4),
        "out_of_scope_score": classifier.score,
        "messages_per_second": round(per_second, 1),
        "single_message_ms": round(statistics.median(singles) * 1000, 2),
        "load_seconds": round(load_seconds, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    return result


def scores(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float | int]:
    """Macro-F1 over the labels of the truth (out of scope counts as one label when the
    test has it), accuracy, in-scope accuracy, and with `oos` rows the oos recall."""
    truth_array, predicted_array = np.array(truth), np.array(predicted)
    labels = sorted(set(truth))
    result: dict[str, float | int] = {
        "macro_f1": round(float(f1_score(truth_array, predicted_array, labels=labels,
                                         average="macro", zero_division=0)), 4),
        "accuracy": round(float((truth_array == predicted_array).mean()), 4),
    }  # fmt: skip
    out = truth_array == OUT_OF_SCOPE
    inside = ~out
    in_scope = (truth_array[inside] == predicted_array[inside]).mean() if inside.any() else 0.0
    result["in_scope_accuracy"] = round(float(in_scope), 4)
    if out.any():
        result["oos_recall"] = round(float((predicted_array[out] == OUT_OF_SCOPE).mean()), 4)
    return result
