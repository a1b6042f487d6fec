"""Synthetic but realistic opening messages of customer tickets, English and Chinese, by
topic: what the trends test and benchmark cluster. Each message is assembled from a topic's
phrasings with a greeting, a detail and an order number, so no two are identical."""

from __future__ import annotations

import random
from dataclasses import dataclass

OPENERS_EN = ("", "Hi, ", "Hello, ", "Hi there. ", "Good morning, ", "Dear support, ")
OPENERS_ZH = ("", "你好，", "您好，", "客服你好，", "在吗？")
CLOSERS_EN = ("", " Thanks.", " Please help.", " Thank you!", " Regards, Sam")
CLOSERS_ZH = ("", "谢谢。", "麻烦尽快处理。", "谢谢！")
ITEMS_EN = ("mug", "lamp", "vase", "teapot", "mirror", "bowl set", "picture frame", "glass jar")
ITEMS_ZH = ("杯子", "台灯", "花瓶", "茶壶", "镜子", "碗", "相框", "玻璃罐")

TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "damaged": {
        "en": (
            "my {item} arrived damaged, the box was crushed in transit.",
            "the {item} was broken when the parcel arrived, it must have been damaged in transit.",
            "order {order} came with a cracked {item}, damaged during shipping.",
            "the {item} in order {order} is shattered, the package was damaged in transit.",
        ),
        "zh": (
            "订单{order}的{item}收到的时候已经碎了，运输途中损坏了。",
            "快递送到时{item}破损了，包装被压坏了。",
            "收到的{item}是坏的，运输过程中摔碎了。",
        ),
    },
    "where": {
        "en": (
            "where is my order {order}? It has not arrived yet.",
            "my order {order} still hasn't been delivered, can you check the tracking?",
            "I ordered a {item} two weeks ago and nothing has arrived. Where is it?",
        ),
        "zh": (
            "我的订单{order}什么时候发货？到现在还没收到。",
            "订单{order}的物流一直没有更新，快递到哪里了？",
            "买的{item}一直没到，请帮我查一下物流。",
        ),
    },
    "refund": {
        "en": (
            "I returned the {item} last week, when will I get my refund for order {order}?",
            "I still have not received the refund for order {order}.",
            "how long does the refund take? I sent the {item} back already.",
        ),
        "zh": (
            "我退回的{item}已经签收了，退款什么时候到账？",
            "订单{order}的退款还没有收到，请帮我查一下。",
        ),
    },
    "address": {
        "en": (
            "can I change the shipping address for order {order}? I moved last week.",
            "I entered the wrong delivery address on order {order}, please update it.",
        ),
        "zh": (
            "订单{order}的收货地址填错了，可以修改地址吗？",
            "我搬家了，麻烦帮我把订单{order}的收货地址改一下。",
        ),
    },
    "coupon": {
        "en": (
            "the discount code SAVE10 does not work at checkout.",
            "my coupon code says invalid when I try to pay for the {item}.",
        ),
        "zh": (
            "优惠券在结账的时候用不了，显示无效。",
            "折扣码SAVE10输入以后没有优惠，怎么回事？",
        ),
    },
}


@dataclass(frozen=True, slots=True)
class Sample:
    topic: str
    language: str
    text: str


def message(topic: str, language: str, rng: random.Random) -> Sample:
    template = rng.choice(TOPICS[topic][language])
    order = str(rng.randint(10000, 99999))
    if language == "en":
        body = template.format(item=rng.choice(ITEMS_EN), order=f"#{order}")
        text = rng.choice(OPENERS_EN) + body[0].upper() + body[1:] + rng.choice(CLOSERS_EN)
    else:
        body = template.format(item=rng.choice(ITEMS_ZH), order=order)
        text = rng.choice(OPENERS_ZH) + body + rng.choice(CLOSERS_ZH)
    return Sample(topic, language, text)


def messages(counts: dict[str, int], rng: random.Random, *, zh_share: float = 0.4) -> list[Sample]:
    """`counts[topic]` messages of each topic, a `zh_share` of them in Chinese, shuffled."""
    found = [
        message(topic, "zh" if rng.random() < zh_share else "en", rng)
        for topic, count in counts.items()
        for _ in range(count)
    ]
    rng.shuffle(found)
    return found
