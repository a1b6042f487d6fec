"""Realistic customer mail for the email benchmarks and tests: many customers, English and
Chinese, replies threaded by In-Reply-To/References, HTML alternatives, some attachments.
Seeded, so every run makes the same bytes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

SUPPORT = "support@example.com"
START = datetime(2026, 10, 1, tzinfo=UTC)

EN_SUBJECTS = [
    "Where is my order #{order}?",
    "Refund for order {order}",
    "Wrong size delivered",
    "Can I change my shipping address?",
    "Item arrived damaged",
    "Question about the {product}",
    "Cancel my order please",
    "Discount code not working",
]
ZH_SUBJECTS = [
    "订单 {order} 什么时候发货？",
    "申请退款：订单 {order}",
    "收到的{product}有破损",
    "能修改收货地址吗",
    "优惠码无法使用",
    "发票问题",
    "尺码不对，想换货",
]
EN_BODIES = [
    "Hi,\n\nI ordered the {product} last week and it has not arrived yet. The tracking page "
    "has not moved for three days. Could you check what is going on?\n\nThanks,\n{name}",
    "Hello,\n\nThe {product} I received is the wrong size. I need a medium, not a large. "
    "How do I send it back?\n\nBest regards,\n{name}",
    "Hi there,\n\nPlease cancel order {order}. I bought the {product} twice by mistake.\n\n{name}",
    "Hello support,\n\nMy discount code SAVE10 says it has expired, but the email said it is "
    "valid until the end of the month. Can you apply it to order {order}?\n\nThank you\n{name}",
]
ZH_BODIES = [
    "你好，\n\n我上周买的{product}到现在还没收到，物流三天没有更新了，麻烦帮我查一下。\n\n谢谢\n{name}",
    "您好，\n\n收到的{product}外包装破了，里面也有划痕，可以退货吗？订单号 {order}。\n\n{name}",
    "客服你好，\n\n我想把订单 {order} 的收货地址改成公司地址，还来得及吗？\n\n{name}",
    "你好，优惠码用不了，提示已过期，但活动还没结束。订单 {order}。\n\n谢谢！\n{name}",
]
REPLIES_EN = [
    "Thanks for the quick answer. I still have a question: when will the refund reach my "
    "card?\n\n{name}",
    "It arrived today, all good. Thank you!\n\n{name}",
    "I sent the photos as you asked, please see attached.\n\n{name}",
]
REPLIES_ZH = [
    "谢谢回复。请问退款多久能到账？\n\n{name}",
    "今天收到了，没问题，谢谢！\n\n{name}",
    "照片已经按要求附上了，请查收。\n\n{name}",
]
PRODUCTS_EN = ["wool scarf", "running shoes", "rice cooker", "phone case", "desk lamp", "backpack"]
PRODUCTS_ZH = ["羊毛围巾", "跑鞋", "电饭煲", "手机壳", "台灯", "双肩包"]
FIRST_EN = ["Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sophia", "Jack"]
LAST_EN = ["Smith", "Brown", "Wilson", "Taylor", "Martin", "Clark", "Lewis", "Walker"]
NAMES_ZH = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄丽", "周杰", "吴琳"]


def _customer(rng: random.Random, index: int) -> tuple[str, str, bool]:
    chinese = rng.random() < 0.4
    if chinese:
        name = rng.choice(NAMES_ZH)
        domain = rng.choice(["qq.com", "163.com", "126.com", "foxmail.com"])
        return name, f"user{index}@{domain}", True
    name = f"{rng.choice(FIRST_EN)} {rng.choice(LAST_EN)}"
    local = name.lower().replace(" ", ".")
    domain = rng.choice(["gmail.com", "outlook.com", "yahoo.com", "icloud.com"])
    return name, f"{local}{index}@{domain}", False


def generate(count: int, *, seed: int = 5, customers: int | None = None) -> Iterator[bytes]:
    """`count` raw messages: ~60 % open a conversation, ~40 % answer an earlier one of the
    same customer (In-Reply-To + References); 40 % Chinese; 5 % with an attachment."""
    rng = random.Random(seed)
    people = [_customer(rng, i) for i in range(customers or max(1, count // 4))]
    threads: dict[int, list[tuple[str, str]]] = {}  # customer -> [(message id, subject)]
    for number in range(count):
        who = rng.randrange(len(people))
        name, address, chinese = people[who]
        earlier = threads.get(who)
        order = 100000 + rng.randrange(900000)
        product = rng.choice(PRODUCTS_ZH if chinese else PRODUCTS_EN)
        message = EmailMessage(policy=SMTP)
        message_id = f"{number}.{rng.getrandbits(40):x}@{address.split('@')[1]}"
        if earlier and rng.random() < 0.65:
            parent_id, subject = earlier[-1]
            message["Subject"] = ("回复：" if chinese else "Re: ") + subject
            message["In-Reply-To"] = f"<{parent_id}>"
            message["References"] = " ".join(f"<{mid}>" for mid, _ in earlier[-5:])
            body = rng.choice(REPLIES_ZH if chinese else REPLIES_EN).format(name=name)
        else:
            subject = rng.choice(ZH_SUBJECTS if chinese else EN_SUBJECTS).format(
                order=order, product=product
            )
            message["Subject"] = subject
            body = rng.choice(ZH_BODIES if chinese else EN_BODIES).format(
                name=name, order=order, product=product
            )
        threads.setdefault(who, []).append((message_id, subject))
        message["From"] = f"{name} <{address}>"
        message["To"] = f"Shop Support <{SUPPORT}>"
        message["Date"] = format_datetime(START + timedelta(minutes=7 * number))
        message["Message-ID"] = f"<{message_id}>"
        charset = rng.choice(["gb18030", "utf-8"]) if chinese else "utf-8"
        message.set_content(body, charset=charset)
        if rng.random() < 0.3:
            html = "".join(f"<p>{line}</p>" for line in body.split("\n") if line)
            message.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
        if rng.random() < 0.05:
            data = rng.randbytes(rng.randrange(20_000, 200_000))
            message.add_attachment(
                data, maintype="image", subtype="jpeg", filename=f"photo-{number}.jpg"
            )
        yield bytes(message)


def simple(
    number: int,
    *,
    sender: str = "Customer <customer@example.com>",
    subject: str | None = None,
    body: str | None = None,
    message_id: str | None = None,
) -> bytes:
    """One plain message, for tests that only need distinct mail."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject if subject is not None else f"Question {number}"
    message["Date"] = format_datetime(START + timedelta(minutes=number))
    message["Message-ID"] = message_id or f"<test.{number}.{random.getrandbits(48):x}@example.com>"
    message.set_content(body if body is not None else f"Hello, this is message {number}.\n")
    return bytes(message)
