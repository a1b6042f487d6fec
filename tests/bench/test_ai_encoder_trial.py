"""The encoder trial's vectors: USE beside the weighted second encoder (or that one alone),
each data file's second vectors computed once and read back from the bench cache."""

from pathlib import Path

import numpy as np
import pytest

from bench import ai_encoder_trial, ai_vectors
from kefu.ai import embedding


class Encoder:
    """Stands in for the ONNX MiniLM (an external model the tests do not have): a fixed,
    text-dependent unit vector, and a count of the texts it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def embed(self, texts) -> np.ndarray:
        self.asked += list(texts)
        rows = np.array([[len(t), t.count(" ") + 1] + [1.0] * 382 for t in texts], np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(ai_vectors, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(ai_encoder_trial, "CACHE", tmp_path / "cache")
    path = tmp_path / "model.onnx"
    path.write_bytes(b"weights")
    return path


TEXTS = ["where is my order", "I want a refund for the broken mug"]


def test_use_beside_the_weighted_second_vector(model: Path) -> None:
    encoder = Encoder()
    both = ai_encoder_trial.Both(encoder, model, weight=0.5, only_minilm=False)
    both.add("orders", TEXTS)
    vectors = both.embed([TEXTS[1], TEXTS[0]])
    assert vectors.shape == (2, embedding.DIMENSIONS + ai_encoder_trial.DIMENSIONS)
    np.testing.assert_allclose(vectors[:, :512], embedding.embed([TEXTS[1], TEXTS[0]]), atol=1e-6)
    np.testing.assert_allclose(vectors[:, 512:], 0.5 * Encoder().embed([TEXTS[1], TEXTS[0]]))
    assert encoder.asked == TEXTS  # the file once, the lookups from memory
    both.embed(["cancel order"])  # an intent's name, in no data file: embedded then
    assert encoder.asked == [*TEXTS, "cancel order"]


def test_a_data_file_is_read_back_from_the_cache(model: Path) -> None:
    ai_encoder_trial.Both(Encoder(), model, weight=1.0, only_minilm=False).add("orders", TEXTS)
    again = Encoder()
    only = ai_encoder_trial.Both(again, model, weight=1.0, only_minilm=True)
    only.add("orders", TEXTS)
    assert again.asked == []
    np.testing.assert_allclose(only.embed(TEXTS), Encoder().embed(TEXTS))
    other_model = model.with_name("other.onnx")
    other_model.write_bytes(b"other weights")  # another model's vectors are not mixed in
    ai_encoder_trial.Both(again, other_model, weight=1.0, only_minilm=True).add("orders", TEXTS)
    assert again.asked == TEXTS
