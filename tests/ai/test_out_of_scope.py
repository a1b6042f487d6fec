"""The out-of-scope answer: the energy of the regression's logits once a labelled set
calibrated the threshold, the best intent's probability before; the same through `kefu ai
train`'s saved model and for models pickled before the energy score."""

import numpy as np
import pytest
from scipy.special import logsumexp

from kefu.ai import embedding, live, training
from kefu.ai.intent import (
    ENERGY,
    OUT_OF_SCOPE,
    PROBABILITY,
    IntentClassifier,
    as_columns,
    choose_threshold,
)
from tests.ai.factories import KEY

INTENTS = ("cancel_order", "order_status", "invoice")


def no_embedding(texts):
    return np.zeros((len(texts), embedding.DIMENSIONS), dtype=np.float32)


def three_intents() -> IntentClassifier:
    texts = ["cancel my order", "please cancel it", "stop my purchase", "where is my order",
             "track my parcel", "has it shipped", "send me an invoice", "I need a receipt",
             "VAT invoice please"]  # fmt: skip
    labels = [intent for intent in INTENTS for _ in range(3)]
    return IntentClassifier(embed=no_embedding, embedding_weight=0).fit(texts, labels)


def test_energy_tells_a_weak_match_from_a_strong_one_with_the_same_probability() -> None:
    # given two rows whose logits differ by a constant: the same probabilities (softmax does
    # not see a shift), but the second matches every intent far less
    classifier = three_intents()
    logits = np.array([[5.0, 0.0, 0.0], [-5.0, -10.0, -10.0]])
    by_probability = classifier.decide(logits)
    assert by_probability[0].confidence == pytest.approx(by_probability[1].confidence)
    # when the threshold is on the energy (log Σ exp of the logits)
    classifier.score, classifier.threshold = ENERGY, 0.0
    strong, weak = classifier.decide(logits)
    # then the weak match is out of scope, the strong one is not; both keep their best intent
    assert (strong.intent, weak.intent) == ("cancel_order", OUT_OF_SCOPE)
    assert strong.best == weak.best == "cancel_order"
    assert weak.score == pytest.approx(logsumexp([-5.0, -10.0, -10.0]))
    assert weak.confidence == pytest.approx(strong.confidence)  # still the probability


def test_calibrating_puts_the_threshold_on_the_energy() -> None:
    classifier = three_intents()
    assert classifier.score == PROBABILITY  # uncalibrated: an absolute probability
    texts = ["cancel this order", "where is my parcel", "an invoice please", "nice weather"]
    labels = [*INTENTS, OUT_OF_SCOPE]
    threshold = classifier.calibrate(texts, labels, in_scope_accuracy=1.0)
    assert classifier.score == ENERGY
    energies = logsumexp(classifier.logits(texts), axis=1)
    # every in-scope row must stay (accuracy 1.0): the threshold is the lowest of theirs
    assert threshold == pytest.approx(energies[:3].min())
    predictions = classifier.predict(texts)
    assert [p.score for p in predictions] == pytest.approx(energies.tolist())
    assert [p.intent for p in predictions[:3]] == list(INTENTS)
    with pytest.raises(ValueError, match="unknown"):
        classifier.calibrate(texts, labels, score="distance")


def test_the_threshold_keeps_in_scope_accuracy_on_any_score() -> None:
    # given four held-out rows: two sure and right, one unsure and right, one unsure oos
    scores = np.array([9.5, 9.0, 6.0, 5.5])
    best = np.array(["cancel_order", "order_status", "cancel_order", "cancel_order"])
    truth = np.array(["cancel_order", "order_status", "cancel_order", OUT_OF_SCOPE])
    # when / then: all three in-scope answers must stay, so the threshold is their lowest
    assert choose_threshold(scores, best, truth, 1.0) == 6.0
    # two of three are enough when the held-out set is large enough to show it (the same
    # rows 1,000 times: 2/3 less its sampling error, 0.0086, still clears 0.65): it rises
    many = [np.repeat(column, 1000) for column in (scores, best, truth)]
    assert choose_threshold(*many, 0.65) == 9.0
    # but not for 0.66, which 2/3 clears only by less than that error
    assert choose_threshold(*many, 0.66) == 6.0
    # and three rows are no evidence of 0.65 on new messages: every answer stays
    assert choose_threshold(scores, best, truth, 0.65) == 6.0
    # a wrong best answer never counts: with it wrong, 1.0 cannot be met and all rows stay
    wrong = np.array(["order_status", "order_status", "cancel_order", "cancel_order"])
    assert choose_threshold(scores, wrong, truth, 1.0) == 6.0
    # negative energies are thresholds like any other
    assert choose_threshold(scores - 20, best, truth, 1.0) == -14.0


def test_two_intents_have_the_regressions_probability_and_a_symmetric_energy() -> None:
    classifier = IntentClassifier(embed=no_embedding, embedding_weight=0).fit(
        ["cancel my order", "cancel it please", "where is my order", "track my parcel"],
        ["cancel_order", "cancel_order", "order_status", "order_status"],
    )
    texts = ["cancel my order now", "track my order"]
    logits = classifier.logits(texts)
    assert logits.shape == (2, 2)
    expected = classifier.model.predict_proba(classifier.features(texts)).max(axis=1)
    assert [p.confidence for p in classifier.predict(texts)] == pytest.approx(expected.tolist())
    one = as_columns(np.array([2.0, -2.0]))
    assert logsumexp(one, axis=1)[0] == pytest.approx(logsumexp(one, axis=1)[1])


def test_a_model_saved_before_the_energy_score_keeps_its_probability_threshold() -> None:
    classifier = three_intents()
    classifier.threshold = 0.99
    del classifier.score  # as a model saved by an older kefu
    old = live.load(*live.dump(classifier, KEY), KEY)
    assert old.score == PROBABILITY
    [prediction] = old.predict(["cancel my order"])
    assert prediction.intent == OUT_OF_SCOPE and prediction.score == prediction.confidence
    calibrated = three_intents()
    calibrated.calibrate(["cancel it", "track it", "invoice"], list(INTENTS))
    assert live.load(*live.dump(calibrated, KEY), KEY).score == ENERGY


def test_the_saved_model_compares_the_energy_it_was_calibrated_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given enough labelled tickets to calibrate (8 per intent held out for it)
    monkeypatch.setattr(embedding, "embed", no_embedding)
    templates = {
        "cancel_order": ["cancel order {n}", "please cancel {n}", "stop my purchase {n}",
                         "I no longer want order {n}"],
        "order_status": ["where is order {n}", "has {n} shipped", "track parcel {n}",
                         "when will {n} arrive"],
        "invoice": ["invoice for {n}", "receipt for order {n}", "VAT invoice {n}",
                    "company invoice for {n}"],
        "size_fit": ["does {n} run small", "what size is {n}", "is {n} true to size",
                     "which size of {n} fits me"],
    }  # fmt: skip
    texts, labels = [], []
    for intent, forms in templates.items():
        for n in range(10):
            texts += [form.format(n=f"item {chr(97 + n)}") for form in forms]
            labels += [intent] * len(forms)
    seeds = [forms[0].format(n="it") for forms in templates.values()]
    data = training.TrainingSet("fingerprint", seeds, list(templates),
                                training.Labelled(texts, labels))  # fmt: skip
    # when kefu trains, measures, calibrates and learns from everything
    trained = training.fit(data)
    # then the saved model compares the energy with the calibrated threshold
    assert trained.metrics["calibration_rows"] >= training.MIN_TO_CALIBRATE
    assert trained.classifier.score == ENERGY
    assert trained.classifier.threshold == trained.threshold
    [cancel, status] = trained.classifier.predict(["please cancel item b", "track parcel item c"])
    assert (cancel.intent, status.intent) == ("cancel_order", "order_status")
