import pytest

from kefu.kit.subjects import normalize_subject, ticket_id_in, ticket_token


@pytest.mark.parametrize(
    "subject",
    [
        "Where is my order?",
        "Re: Where is my order?",
        "RE: RE: where is my order?",
        "AW: Where is my order?",
        "Fwd: Re: Where is my order?",
        "FW: Where is my order? [#1234]",
        "回复：Where is my order?",
        "回复: 答复: Where is my order?",
        "转发：Where is my order?",
        "Re[2]: Where is my order?",
        "[Fwd: Where is my order?]",
        "  Re :  Where   is my order? ",
        "SV: Where is my order?",
    ],
)
def test_reply_and_forward_prefixes_are_removed(subject: str) -> None:
    assert normalize_subject(subject) == "where is my order?"


def test_words_that_only_start_like_a_prefix_stay() -> None:
    # "Refund" starts with "Re" but has no colon: it is the subject itself
    assert normalize_subject("Refund for order 1001") == "refund for order 1001"
    assert normalize_subject("Fwd is not a prefix here") == "fwd is not a prefix here"


def test_chinese_subject_keeps_its_text() -> None:
    assert normalize_subject("回复：我的订单什么时候发货？") == "我的订单什么时候发货？"


def test_ticket_token_is_found_and_made() -> None:
    assert ticket_token(1234) == "[#1234]"
    assert ticket_id_in("Re: Where is my order? [#1234]") == 1234
    assert ticket_id_in("[# 77] Re: hi [#88]") == 88
    assert ticket_id_in("Order #1234 is late") is None
