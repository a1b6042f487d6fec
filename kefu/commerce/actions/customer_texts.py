"""The confirmations customers receive, in English and Simplified Chinese. They follow the
customer's language, not the agent's, so they are written out here per language."""

from __future__ import annotations

from typing import Any

from kefu.kit.money import format_money

LOCALES = {"en": "en", "zh": "zh_Hans"}

TEXTS: dict[str, dict[str, str]] = {
    "refund": {
        "en": "Hello,\n\nWe have refunded {amount} for order #{number}{items}. The money goes "
        "back to your original payment method and usually shows within 5-10 business days."
        "\n\nBest regards",
        "zh": "您好，\n\n我们已为订单 #{number}{items}退款 {amount}。款项将原路退回，通常在 5-10 "
        "个工作日内到账。\n\n祝好",
    },
    "refund_credit": {
        "en": "Hello,\n\nWe have refunded {amount} for order #{number}{items} as store credit. "
        "Use the code {code} at checkout.\n\nBest regards",
        "zh": "您好，\n\n我们已为订单 #{number}{items}退款 {amount}，以店铺余额形式发放。"
        "结账时输入代码 {code} 即可使用。\n\n祝好",
    },
    "cancel": {
        "en": "Hello,\n\nYour order #{number} has been cancelled.{refund}\n\nBest regards",
        "zh": "您好，\n\n您的订单 #{number} 已取消。{refund}\n\n祝好",
    },
    "cancel_refund": {
        "en": " We have refunded {amount} to your original payment method.",
        "zh": "我们已将 {amount} 原路退回。",
    },
    "address": {
        "en": "Hello,\n\nWe have updated the shipping address of order #{number} to:\n{address}"
        "\n\nBest regards",
        "zh": "您好，\n\n订单 #{number} 的收货地址已更新为：\n{address}\n\n祝好",
    },
    "return": {
        "en": "Hello,\n\nYour return {rma} for order #{number} is approved ({items}; reason: "
        "{reason}).{amount}\n\n{instructions}\n\nBest regards",
        "zh": "您好，\n\n您订单 #{number} 的退货 {rma} 已批准（{items}；原因：{reason}）。"
        "{amount}\n\n{instructions}\n\n祝好",
    },
    "return_amount": {
        "en": " Once we receive it, we will refund {amount}.",
        "zh": "收到退货后，我们将退款 {amount}。",
    },
    "return_instructions": {
        "en": "Please pack the items, write {rma} on the parcel and send it back to the "
        "address on our website. Keep the shipping receipt until we confirm the return.",
        "zh": "请将商品包装好，在包裹上注明 {rma}，寄回我们网站上的退货地址，并保留寄件凭证直到"
        "我们确认收到。",
    },
    "return_refunded": {
        "en": "Hello,\n\nWe have received your return {rma} and refunded {amount} for order "
        "#{number}.\n\nBest regards",
        "zh": "您好，\n\n我们已收到您的退货 {rma}，并已为订单 #{number} 退款 {amount}。\n\n祝好",
    },
    "return_rejected": {
        "en": "Hello,\n\nWe could not accept your return {rma} for order #{number}: {reason}"
        "\n\nBest regards",
        "zh": "您好，\n\n很抱歉，您订单 #{number} 的退货 {rma} 未能受理：{reason}\n\n祝好",
    },
    "exchange": {
        "en": "Hello,\n\nWe are exchanging {items_out} from order #{number} for {items_in}. "
        "{difference}\n\nBest regards",
        "zh": "您好，\n\n我们将为订单 #{number} 把 {items_out} 换成 {items_in}。"
        "{difference}\n\n祝好",
    },
    "exchange_pay": {
        "en": "The difference of {amount} will be charged.",
        "zh": "差价 {amount} 需要补付。",
    },
    "exchange_refund": {
        "en": "We refund the difference of {amount}.",
        "zh": "差价 {amount} 将退还给您。",
    },
    "exchange_even": {"en": "There is no price difference.", "zh": "无需补差价。"},
    "resend": {
        "en": "Hello,\n\nWe are sending you {items} again from order #{number}, free of charge. "
        "You will get the tracking number as soon as it ships.\n\nBest regards",
        "zh": "您好，\n\n我们将免费为订单 #{number} 补发 {items}，发货后会告诉您物流单号。\n\n祝好",
    },
    "store_credit": {
        "en": "Hello,\n\nWe have added {amount} of store credit for you. Use the code {code} at "
        "checkout.\n\nBest regards",
        "zh": "您好，\n\n我们已为您发放 {amount} 店铺余额，结账时输入代码 {code} 即可使用。"
        "\n\n祝好",
    },
}


def language_of(code: str | None) -> str:
    """kefu's two customer languages: anything Chinese is "zh", everything else "en"."""
    return "zh" if (code or "").lower().startswith("zh") else "en"


def money(minor: int, currency: str, language: str) -> str:
    return format_money(minor, currency, locale=LOCALES[language])


def customer_text(key: str, language: str, **values: Any) -> str:
    return TEXTS[key][language].format(**values)


def items_phrase(names: list[str], language: str) -> str:
    joiner = "、" if language == "zh" else ", "
    return joiner.join(names)
