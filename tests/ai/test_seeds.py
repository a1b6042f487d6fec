"""The default taxonomy's seed examples: every intent in English and Chinese, nothing else."""

from collections import Counter

import numpy as np
import pytest

from kefu.ai.intent import NAME_WEIGHT, OUT_OF_SCOPE, IntentClassifier
from kefu.ai.taxonomy import DEFAULT_INTENTS, seed_examples

IDS = {intent.id for intent in DEFAULT_INTENTS}
SEEDS_PER_INTENT = 24  # per language: a balanced set, so no intent wins by its share of rows


def test_every_intent_has_english_and_chinese_seeds() -> None:
    for language in ("en", "zh"):
        counts = Counter(intent for _, intent in seed_examples(language))
        assert set(counts) == IDS, language
        assert set(counts.values()) == {SEEDS_PER_INTENT}, language


def test_seed_texts_are_not_repeated() -> None:
    texts = [text for text, _ in seed_examples()]
    assert len(texts) == len(set(texts))


def test_below_the_threshold_the_answer_is_out_of_scope() -> None:
    def embed(texts):
        return np.zeros((len(texts), 512), dtype=np.float32)

    classifier = IntentClassifier(embed=embed, embedding_weight=0).fit(
        ["cancel my order", "cancel it please", "where is my order", "track my parcel"],
        ["cancel_order", "cancel_order", "order_status", "order_status"],
    )
    classifier.threshold = 0.99
    [prediction] = classifier.predict(["cancel my order now"])
    assert prediction.intent == OUT_OF_SCOPE
    assert prediction.best == "cancel_order"
    assert 0.5 < prediction.confidence < 0.99


def test_an_intents_name_is_one_of_its_examples() -> None:
    # examples that never say which intent they are: only the names tell them apart
    texts, labels = ["hello there", "good morning"], ["cancel_order", "order_status"]
    named = IntentClassifier(embedding_weight=0).fit(texts, labels)
    unnamed = IntentClassifier(embedding_weight=0, name_weight=0).fit(texts, labels)
    [by_name] = named.predict(["cancel order"])
    [without] = unnamed.predict(["cancel order"])
    assert by_name.best == "cancel_order" and by_name.confidence > 0.6
    assert without.confidence < 0.6  # nothing to go on without the names


def test_a_name_weighs_less_as_its_intent_gets_examples() -> None:
    classifier = IntentClassifier()
    # a few-shot intent: the name is worth NAME_WEIGHT examples
    assert classifier.weight_of_name(1) == classifier.weight_of_name(10) == NAME_WEIGHT
    # a well-labelled one: the name fades in proportion (a tenth at a hundred examples)
    assert classifier.weight_of_name(100) == pytest.approx(NAME_WEIGHT / 10)
    assert classifier.weight_of_name(40) > classifier.weight_of_name(100) > 0
    assert IntentClassifier(name_weight=0).weight_of_name(1) == 0
