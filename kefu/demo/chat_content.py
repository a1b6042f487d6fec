"""What the demo's shoppers and agents say in the store's live chat: short conversations as a
real chat goes (the shopper asks, an agent answers, a follow-up, a thank-you)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatScript:
    page: str  # the store page the shopper chats from
    turns: tuple[str, ...]  # shopper, agent, shopper, agent, … ; "{order}" is their order
    rating: int | None  # the shopper's stars at the end (None: left without rating)
    comment: str = ""


SCRIPTS_EN = (
    ChatScript(
        "/products/alpine-down-jacket",
        (
            "Hi! Does the Alpine down jacket run small? I'm usually an M.",
            "Hi there! It's true to size with room for a fleece underneath. An M will fit you.",
            "Great, and is the navy one in stock in M?",
            "Yes, 14 left in navy M. It ships today if you order before 4 pm.",
            "Perfect, ordering now. Thanks!",
        ),
        5,
        "Quick and helpful",
    ),
    ChatScript(
        "/account/orders",
        (
            "Where is my order {order}? It said 3 days and it's been 6.",
            "Sorry for the wait! {order} left our warehouse on Monday; the carrier shows it at "
            "your local depot, out for delivery tomorrow.",
            "OK, can they leave it with a neighbour?",
            "I've added a note for the driver to leave it with a neighbour if you're out.",
        ),
        4,
    ),
    ChatScript(
        "/cart",
        (
            "My discount code SPRING15 says it's invalid",
            "Let me check… SPRING15 is for orders over £60 and your cart is £54. Add one more "
            "item, or use WELCOME10 for 10 % off this order.",
            "Ah, I'll use WELCOME10. Thank you",
        ),
        5,
    ),
    ChatScript(
        "/account/orders",
        (
            "I want to return the boots from order {order}, they're too narrow",
            "No problem, they're within the 30-day window. I've started a return: you'll get a "
            "prepaid label by email in a few minutes.",
            "Do I get a refund or store credit?",
            "A refund to your card, 3–5 days after the boots reach us.",
        ),
        4,
    ),
    ChatScript(
        "/products/merino-base-layer",
        (
            "Is the merino base layer itchy? My skin is sensitive",
            "It's 17.5 micron merino, the softest we sell, and most customers with sensitive "
            "skin wear it all day. If it doesn't suit you, returns are free.",
        ),
        None,
    ),
    ChatScript(
        "/account/orders",
        (
            "The parcel for {order} arrived with the box crushed and the flask is dented",
            "I'm so sorry! Could you send a photo of the dent? I'll send a new flask straight "
            "away, no need to return the dented one.",
            "Sent the photo by email just now",
            "Got it, thank you. A replacement is on its way, tracking to follow by email.",
        ),
        2,
        "Good fix but I waited a long time for someone to answer",
    ),
)

SCRIPTS_ZH = (
    ChatScript(
        "/products/alpine-down-jacket",
        (
            "在吗？这款羽绒服偏小吗，我平时穿M",
            "亲，在的~ 这款是标准码，里面可以加一件抓绒，穿M正合适。",
            "藏青色M码有货吗",
            "有的，还有14件，下午4点前下单今天就能发顺丰。",
            "好的，马上拍，谢谢",
        ),
        5,
        "回复很快，很专业",
    ),
    ChatScript(
        "/account/orders",
        (
            "订单{order}怎么还没到？说好3天，已经6天了",
            "亲，非常抱歉让您久等了。{order}周一已从仓库发出，物流显示已到您所在城市的网点，"
            "明天派送。",
            "能放快递柜吗",
            "已经给快递员备注了，派送时放到快递柜并短信通知您。",
        ),
        4,
    ),
    ChatScript(
        "/account/orders",
        (
            "订单{order}我想申请七天无理由退货，鞋子有点挤脚",
            "可以的亲，在7天内，已经为您提交退货申请，退货地址和寄回方式稍后短信发给您。",
            "运费谁出？",
            "无理由退货的寄回运费需要您承担，我们收到货后1–3个工作日原路退款。",
        ),
        3,
    ),
    ChatScript(
        "/invoice",
        (
            "订单{order}需要开增值税普通发票，抬头是公司",
            "好的亲，请发一下公司全称和税号，开好后电子发票会发到您的邮箱。",
            "上海某某贸易有限公司，税号91310000MA1FL0000X",
            "收到，电子发票24小时内发到您的邮箱，请注意查收。",
        ),
        5,
    ),
    ChatScript(
        "/products/trail-flask",
        (
            "这个保温杯能保温多久",
            "亲，热水6小时保持在60℃以上，冷饮12小时。",
        ),
        None,
    ),
)

# What the store's pages are called (the agent sees the page a shopper chats from).
PAGE_TITLES = {
    "/": "Lumen Outfitters — outdoor clothing",
    "/products/alpine-down-jacket": "Alpine Down Jacket",
    "/products/merino-base-layer": "Merino Base Layer",
    "/products/trail-flask": "Trail Flask 750 ml",
    "/account/orders": "My orders",
    "/cart": "Your cart",
    "/invoice": "Invoices",
}

# The first customer line of a chat still waiting in the queue (the demo leaves a few there).
WAITING_EN = (
    "Hello? Can I change the delivery address on my order {order}?",
    "Do you ship to Ireland, and how long does it take?",
)
WAITING_ZH = ("在吗？订单{order}能改一下收货地址吗",)
