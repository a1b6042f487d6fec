"""One pass over a batch of messages: intent from the seed taxonomy, language, sentiment,
urgency."""

from kefu.ai.service import analyse


def test_a_batch_of_messages_is_analysed() -> None:
    # when
    angry, chinese, question = analyse(
        [
            "Cancel my order right now. This is ridiculous, I'll file a chargeback",
            "我要取消订单，太差了",
            "Do you accept PayPal?",
        ]
    )
    # then
    assert (angry.intent, angry.language, angry.sentiment) == ("cancel_order", "en", "negative")
    assert angry.urgency == "high" and "chargeback" in angry.urgency_reasons
    assert (chinese.intent, chinese.language, chinese.sentiment) == (
        "cancel_order",
        "zh",
        "negative",
    )
    assert (question.intent, question.urgency) == ("payment_methods", "normal")
    assert 0 < question.intent_confidence <= 1


def test_nothing_to_analyse() -> None:
    assert analyse([]) == []
