"""Generated help-center articles for the benchmark: English and Chinese e-commerce help
texts built from a seeded vocabulary, so every run searches the same corpus."""

import random
from collections.abc import Iterator

EN_TOPICS = [
    "refund", "return", "exchange", "shipping", "delivery", "tracking", "invoice", "payment",
    "discount", "coupon", "warranty", "size", "colour", "order", "cancel", "address",
    "customs", "parcel", "courier", "account", "password", "gift", "subscription", "stock",
]  # fmt: skip
EN_WORDS = [
    "please", "within", "days", "working", "receive", "confirm", "email", "support", "team",
    "original", "method", "label", "print", "store", "credit", "items", "package", "carrier",
    "update", "check", "status", "local", "office", "international", "express", "standard",
    "fee", "free", "over", "select", "checkout", "page", "link", "photo", "damaged", "missing",
]  # fmt: skip
ZH_TOPICS = [
    "退款", "退货", "换货", "配送", "物流", "快递", "发票", "支付", "优惠券", "保修", "尺码",
    "颜色", "订单", "取消", "地址", "海关", "包裹", "账户", "密码", "礼品卡", "会员", "库存",
]  # fmt: skip
ZH_PHRASES = [
    "请在", "个工作日内", "联系客服", "原路退回", "收到商品后", "填写申请", "上传照片",
    "我们会尽快处理", "运费由", "承担", "查看订单状态", "在我的订单中", "选择退货原因",
    "打印退货标签", "顺丰速运", "中通快递", "京东物流", "电子发票", "开具", "七天无理由",
]  # fmt: skip


def articles(count: int, *, seed: int = 20261205) -> Iterator[tuple[str, str, str]]:
    """(language, title, Markdown body): half English, half Chinese, interleaved."""
    rng = random.Random(seed)
    for index in range(count):
        if index % 2 == 0:
            topic, other = rng.sample(EN_TOPICS, 2)
            title = f"How {topic} and {other} work ({index})"
            paragraphs = [
                " ".join(rng.choices([*EN_WORDS, topic, other], k=rng.randint(30, 70))).capitalize()
                + "."
                for _ in range(rng.randint(3, 6))
            ]
            yield "en", title, "\n\n".join(paragraphs)
        else:
            topic, other = rng.sample(ZH_TOPICS, 2)
            title = f"{topic}与{other}说明（{index}）"
            paragraphs = [
                "，".join(rng.choices([*ZH_PHRASES, topic, other], k=rng.randint(15, 35))) + "。"
                for _ in range(rng.randint(3, 6))
            ]
            yield "zh_Hans", title, "\n\n".join(paragraphs)
