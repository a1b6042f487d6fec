"""What the demo store's customers write and how its agents answer, in English and Chinese.

Each story is a subject, the customer's first message, an agent's reply, the customer's
follow-up and an internal note ({name} is the customer, {order} an order number)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    subject: str
    first: str
    reply: str
    follow_up: str
    note: str
    tags: tuple[str, ...]
    reason: str


STORIES_EN = [
    Story(
        "Where is my order #{order}?",
        "Hi, I ordered a rain jacket ten days ago (order #{order}) and the tracking page has "
        "not moved since Monday. Could you check what is going on?",
        "Hi {name}, thanks for your patience. The parcel is at the carrier's regional hub; "
        "they expect to deliver it within two working days. I will keep an eye on it.",
        "Thanks! It still says 'in transit' though. Is there anything else I can do?",
        "Carrier claim may be needed if no scan by Friday.",
        ("shipping", "order"),
        "Late delivery",
    ),
    Story(
        "Refund for returned shoes",
        "I sent the running shoes back two weeks ago (order #{order}). The return was "
        "delivered to you last Tuesday but I haven't seen the refund yet.",
        "Hi {name}, the return has been checked in and the refund of $89.00 is on its way. "
        "Depending on your bank it shows up in 3–5 working days.",
        "Great, I can see it pending on my card now. Thank you!",
        "Refund approved by finance, ref RF-{order}.",
        ("refund", "return"),
        "Changed my mind",
    ),
    Story(
        "Wrong size delivered",
        "I ordered the hoodie in M but received an XL. Can I swap it for the right size?",
        "Sorry about that, {name}! I have started an exchange: a prepaid return label is in "
        "your inbox and the M ships as soon as the carrier scans the XL.",
        "Label printed, dropping it off tomorrow morning.",
        "Warehouse picking error, second one this week for SKU HD-220.",
        ("exchange", "warehouse"),
        "Wrong size",
    ),
    Story(
        "Discount code not working",
        "The code WELCOME10 from your newsletter says 'not valid' at checkout. Basket is $64.",
        "Hi {name}, that code needs a basket of $70 or more. I have added a one-time code "
        "THANKS10 to your account that works on your current basket.",
        "That worked, thanks a lot!",
        "Newsletter copy does not mention the $70 minimum — told marketing.",
        ("discount", "checkout"),
        "Other",
    ),
    Story(
        "Item arrived damaged",
        "The ceramic mug in my order #{order} arrived in three pieces. Photos attached in my "
        "next mail if you need them.",
        "I am so sorry, {name}. No need to send it back: a replacement ships today and you "
        "will get the tracking number by email.",
        "Thank you, very kind. The box itself looked fine, by the way.",
        "Second breakage from this batch; asked logistics to check the packaging.",
        ("damaged", "replacement"),
        "Damaged",
    ),
    Story(
        "Change delivery address",
        "I just placed order #{order} but used my old address. Can you change it to 21 Elm "
        "Street, Leeds LS1 4AB before it ships?",
        "Done, {name}: the order now ships to 21 Elm Street, Leeds LS1 4AB. It leaves our "
        "warehouse tomorrow.",
        "Perfect, thank you for the quick help.",
        "Updated in the store admin before the pick list was printed.",
        ("address", "order"),
        "Other",
    ),
    Story(
        "Do you ship to Norway?",
        "Hi, before I order: do you deliver to Norway, and who pays the import VAT?",
        "Hi {name}, yes we ship to Norway in 4–6 working days. VAT is collected at checkout, "
        "so there is nothing more to pay on delivery.",
        "Great, ordering now.",
        "Pre-sale question; good candidate for a help-center article.",
        ("pre-sale", "shipping"),
        "Other",
    ),
    Story(
        "Charged twice for one order",
        "My card statement shows two charges of $45.20 for order #{order}. Please refund one!",
        "Hi {name}, the second one is a pre-authorisation that your bank releases within 7 "
        "days; only one charge was captured. I have double-checked it with our payments team.",
        "OK, I'll wait a few days then.",
        "Payment provider shows one capture, one voided auth. Nothing to refund.",
        ("billing", "payment"),
        "Other",
    ),
]

STORIES_ZH = [
    Story(
        "订单 {order} 什么时候发货？",
        "你好，我三天前下的单（订单号 {order}），到现在还显示待发货，请问什么时候能发？",
        "{name}您好，您的订单已在今天下午出库，快递单号稍后会短信通知您，预计两天内送达。",
        "收到，谢谢！",
        "仓库积压，今天已加急处理。",
        ("物流", "订单"),
        "Late delivery",
    ),
    Story(
        "七天无理由退货",
        "衣服颜色和图片差别有点大，想申请七天无理由退货，订单号 {order}。",
        "{name}您好，已为您提交退货申请，请在七天内寄回，运费险会自动赔付到您的账户。",
        "好的，明天寄出。退款大概多久到账？",
        "客户是老客户，退款可优先处理。",
        ("退货", "退款"),
        "Changed my mind",
    ),
    Story(
        "收到的商品有破损",
        "杯子收到就是碎的，外包装也压坏了，怎么处理？",
        "非常抱歉给您带来不便！已为您安排补发，新的商品今天发出，破损的无需寄回。",
        "谢谢，处理很快。",
        "同一批次第三起破损，已通知物流组检查包装。",
        ("破损", "补发"),
        "Damaged",
    ),
    Story(
        "尺码不合适想换货",
        "鞋子偏小，平时穿 39，这双 39 挤脚，能换 40 吗？订单 {order}。",
        "{name}您好，可以换货的。已为您生成换货单，请将原商品寄回，收到后马上发出 40 码。",
        "已经寄出了，单号稍后发您。",
        "40 码库存只剩 3 双，已锁定一双。",
        ("换货", "尺码"),
        "Wrong size",
    ),
    Story(
        "申请开具发票",
        "你好，订单 {order} 需要开具增值税普通发票，抬头是上海某某科技有限公司。",
        "{name}您好，电子发票已开具，会在 24 小时内发送到您的邮箱，请注意查收。",
        "收到发票了，谢谢。",
        "已在财务系统登记，发票号待回填。",
        ("发票",),
        "Other",
    ),
    Story(
        "优惠券无法使用",
        "满 200 减 30 的优惠券结算时提示不可用，购物车 268 元。",
        "{name}您好，该券不适用于特价商品。已为您补发一张全场通用的 30 元券，请查收。",
        "可以用了，谢谢客服！",
        "活动页未标注特价商品除外，已反馈运营。",
        ("优惠券",),
        "Other",
    ),
    Story(
        "修改收货地址",
        "刚下单地址填错了，麻烦改成北京市朝阳区建国路 88 号，订单号 {order}。",
        "{name}您好，地址已修改为北京市朝阳区建国路 88 号，订单尚未出库，不影响发货。",
        "太好了，谢谢！",
        "已在后台改址，并备注仓库。",
        ("地址", "订单"),
        "Other",
    ),
    Story(
        "快递一直没有更新",
        "物流信息五天没有更新了，是不是丢件了？",
        "{name}您好，已联系快递公司核实，包裹在中转站滞留，今天会重新派送，请留意电话。",
        "今天还是没收到，能帮忙再催一下吗？",
        "如明天仍无更新，发起丢件理赔。",
        ("物流", "催件"),
        "Late delivery",
    ),
]

CUSTOMERS_EN = [
    "Emily Chen",
    "James Miller",
    "Sarah Johnson",
    "Michael Brown",
    "Olivia Davis",
    "Daniel Wilson",
    "Sophie Taylor",
    "Thomas Anderson",
    "Grace Thomas",
    "Henry Moore",
    "Chloe Martin",
    "Jack White",
    "Lily Harris",
    "Oscar Clark",
    "Isla Lewis",
    "Leo Walker",
    "Ruby Hall",
    "Max Young",
    "Ella King",
    "Noah Scott",
]
CUSTOMERS_ZH = [
    "王小明",
    "李静",
    "张磊",
    "刘芳",
    "陈晨",
    "杨洋",
    "赵丽",
    "黄强",
    "周婷",
    "吴昊",
    "徐莉",
    "孙鹏",
    "马超",
    "朱琳",
    "胡斌",
    "郭敏",
    "何欢",
    "林峰",
    "高远",
    "罗雪",
]
PINYIN = [
    "wang.xm",
    "li.jing",
    "zhang.lei",
    "liu.fang",
    "chen.chen",
    "yang.yang",
    "zhao.li",
    "huang.q",
    "zhou.ting",
    "wu.hao",
    "xu.li",
    "sun.peng",
    "ma.chao",
    "zhu.lin",
    "hu.bin",
    "guo.min",
    "he.huan",
    "lin.feng",
    "gao.yuan",
    "luo.xue",
]

# The intent agents would give each story (kefu.ai's default taxonomy): the demo labels
# most tickets with it, so `kefu ai train` and the eval page have the store's own labels.
STORY_INTENTS = {
    "Where is my order #{order}?": "order_status",
    "Refund for returned shoes": "refund_status",
    "Wrong size delivered": "wrong_missing_item",
    "Discount code not working": "price_promo",
    "Item arrived damaged": "damaged_defective",
    "Change delivery address": "change_shipping_address",
    "Do you ship to Norway?": "shipping_options_fees",
    "Charged twice for one order": "payment_problem",
    "订单 {order} 什么时候发货？": "urge_shipment",
    "七天无理由退货": "return_request",
    "收到的商品有破损": "damaged_defective",
    "尺码不合适想换货": "exchange_request",
    "申请开具发票": "invoice",
    "优惠券无法使用": "price_promo",
    "修改收货地址": "change_shipping_address",
    "快递一直没有更新": "delivery_problem",
}
