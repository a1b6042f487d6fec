"""What a customer's message asks for, read from its words (English and Chinese): a person,
an order (and which fact of it), an order number and an email address."""

from __future__ import annotations

import re

from kefu.kit.search_text import normalize

HUMAN = re.compile(
    r"\b(human|real person|a person|live agent|an agent|agent please|representative|operator"
    r"|someone real|talk to (?:a |an )?(?:someone|person|agent|staff)|speak to (?:a |an )?"
    r"(?:someone|person|agent|staff|human))\b"
    r"|转人工|人工客服|人工服务|找人工|真人|客服人员|人工",
    re.IGNORECASE,
)
ORDER_WORDS = re.compile(
    r"\b(order|orders|parcel|package|shipment|shipping status|tracking|track|delivery status"
    r"|where is my|where's my|has it shipped|shipped yet|return (?:it|this|my|the)|eligible"
    r"|can i return)\b|订单|包裹|快递|物流|发货|到哪|单号|能退|可以退|退货资格",
    re.IGNORECASE,
)
TRACKING = re.compile(
    r"\b(track|tracking|where|shipped|ship|delivery|deliver|delivered|arrive|parcel|package"
    r"|carrier)\b|物流|快递|到哪|发货|送达|派送|包裹",
    re.IGNORECASE,
)
RETURN = re.compile(
    r"\b(return|returns|returnable|send (?:it )?back)\b|退货|退回|能退|可以退", re.I
)
CODE_REQUEST = re.compile(r"\b(code|one-time|otp)\b|验证码|校验码|动态码", re.IGNORECASE)
CODE = re.compile(r"^\D*(\d{6})\D*$")
ACTION = re.compile(
    r"\b(cancel|change|modify|update|refund me|send (?:me )?a replacement|exchange)\b"
    r"|取消|修改|改地址|换货|补发",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
ORDER_NUMBER = re.compile(r"(?<![\w@.])#?([A-Za-z]{0,4}-?\d{3,12})(?![\w@])")
THANKS = re.compile(
    r"^\W*(thanks?|thank you|thx|great|perfect|ok(?:ay)?|got it|that helps?|谢谢|多谢|好的|明白了"
    r"|感谢)\W*(?:you|a lot|so much)?\W*$",
    re.IGNORECASE,
)


def wants_human(text: str) -> bool:
    return bool(HUMAN.search(normalize(text)))


def is_about_an_order(text: str) -> bool:
    return bool(ORDER_WORDS.search(normalize(text))) or bool(order_number(text))


def order_topic(text: str) -> str:
    """ "return" (may I return it), "tracking" (where is it) or "status" (everything)."""
    folded = normalize(text)
    if RETURN.search(folded):
        return "return"
    if TRACKING.search(folded):
        return "tracking"
    return "status"


def email_in(text: str) -> str | None:
    found = EMAIL.search(text)
    return found.group(0).lower() if found else None


def order_number(text: str) -> str | None:
    """The first order-number-looking token ("#1001", "1001", "LM-20931"), emails left out."""
    without_emails = EMAIL.sub(" ", text)
    found = ORDER_NUMBER.search(without_emails)
    return found.group(1) if found else None


def is_thanks(text: str) -> bool:
    return bool(THANKS.match(text.strip()))


def asks_for_code(text: str) -> bool:
    return bool(CODE_REQUEST.search(normalize(text))) and code_in(text) is None


def code_in(text: str) -> str | None:
    """A six-digit one-time code typed alone (maybe with a few words around it)."""
    found = CODE.match(text.strip())
    return found.group(1) if found and len(text) <= 40 else None


def asks_for_a_change(text: str) -> bool:
    """The customer wants the order changed (cancel, new address, exchange…): the assistant
    reads orders, it never changes them."""
    return bool(ACTION.search(normalize(text)))
