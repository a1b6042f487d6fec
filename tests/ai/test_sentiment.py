"""Sentiment from the shipped model, English and Chinese, on clear cases."""

import pytest

from kefu.ai import sentiment


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("This is the worst shop ever. I want my money back now", "negative"),
        ("The item arrived broken and nobody answers my emails", "negative"),
        ("太差了，再也不买了", "negative"),
        ("Thank you so much, the dress is lovely", "positive"),
        ("非常满意，物流很快", "positive"),
        ("Where is my order?", "neutral"),
        ("请问有发票吗？", "neutral"),
    ],
)
def test_clear_messages_get_their_sentiment(text: str, label: str) -> None:
    [result] = sentiment.classify([text])
    assert result.label == label


def test_labels_follow_the_probability_of_negative() -> None:
    assert sentiment.label(0.9) == "negative"
    assert sentiment.label(0.5) == "neutral"
    assert sentiment.label(0.1) == "positive"
