"""Language and urgency of customer messages, English and Chinese, on clear cases."""

import pytest

from kefu.ai.signals import detect_language, detect_urgency


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Where is my order? It was due on Monday.", "en"),
        ("我的订单到哪了？", "zh"),
        ("订单 10482 still not shipped 怎么回事", "zh"),
        ("¿Dónde está mi pedido? Lo necesito mañana.", "other"),
        ("Где мой заказ?", "other"),
        ("12345 !!!", "other"),
    ],
)
def test_language_is_counted_from_the_characters(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("If this isn't fixed by Friday my lawyer will be in touch", "legal"),
        ("I'm going to file a chargeback with my bank", "chargeback"),
        ("Refund me or I will dispute the charge", "chargeback"),
        ("Expect a one-star review on Trustpilot", "bad_review"),
        ("再不退款我就给差评", "bad_review"),
        ("我要去12315投诉你们", "legal"),
        ("再不处理我就起诉你们", "legal"),
        ("信用卡我已经申请拒付了", "chargeback"),
        ("我要投诉你们的快递", "complaint_threat"),
    ],
)
def test_a_threat_makes_a_message_urgent(text: str, reason: str) -> None:
    urgency = detect_urgency(text)
    assert urgency.level == "high"
    assert reason in urgency.reasons


@pytest.mark.parametrize(
    "text",
    [
        "This is ridiculous, I am furious",
        "WHERE IS MY ORDER YOU PROMISED TUESDAY",
        "气死我了，太差了",
    ],
)
def test_anger_alone_is_elevated(text: str) -> None:
    assert detect_urgency(text).level == "elevated"
    assert detect_urgency(text).reasons == ("angry",)


@pytest.mark.parametrize(
    "text", ["Where is my order?", "Can I pay with PayPal?", "请问有发票吗？", "尺码偏大吗"]
)
def test_a_plain_question_is_not_urgent(text: str) -> None:
    assert detect_urgency(text).level == "normal"
    assert detect_urgency(text).reasons == ()
