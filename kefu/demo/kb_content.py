"""The demo knowledge base's words: categories and articles in English and Chinese."""

CATEGORIES = [
    ("shipping", {"en": "Shipping and delivery", "zh_Hans": "配送与物流"}),
    ("returns", {"en": "Returns and refunds", "zh_Hans": "退换货与退款"}),
    ("orders", {"en": "Orders and invoices", "zh_Hans": "订单与发票"}),
    ("sizes", {"en": "Sizes and care", "zh_Hans": "尺码与保养"}),
]

# (category, visibility, tags, English (title, body), Chinese (title, body) or None)
ARTICLES = [
    (
        "shipping",
        "public",
        ["shipping", "delivery"],
        (
            "Shipping times",
            "Orders placed before **3 pm** (Monday to Friday) leave our warehouse the same "
            "day.\n\n| Destination | Standard | Express |\n|---|---|---|\n"
            "| Mainland China | 2–4 working days | 1–2 working days |\n"
            "| Hong Kong, Macau, Taiwan | 4–7 working days | 2–3 working days |\n"
            "| Rest of the world | 7–15 working days | 3–5 working days |\n\n"
            "You get a tracking link by email as soon as the parcel is scanned by the carrier.",
        ),
        (
            "配送时效",
            "工作日下午 **3 点**前下单，当天从仓库发出。\n\n| 目的地 | 标准快递 | 加急快递 |\n"
            "|---|---|---|\n| 中国大陆 | 2–4 个工作日 | 1–2 个工作日 |\n"
            "| 港澳台 | 4–7 个工作日 | 2–3 个工作日 |\n"
            "| 其他国家和地区 | 7–15 个工作日 | 3–5 个工作日 |\n\n"
            "快递揽收后，我们会通过邮件发送物流跟踪链接。",
        ),
    ),
    (
        "shipping",
        "public",
        ["tracking", "delay"],
        (
            "Where is my parcel?",
            "1. Open the tracking link in your shipping email.\n"
            "2. If it has not moved for **3 working days**, write to us with your order "
            "number.\n3. We open a claim with the carrier and send a replacement or a refund "
            "if the parcel is lost.",
        ),
        (
            "我的包裹到哪儿了？",
            "1. 打开发货邮件中的物流跟踪链接。\n"
            "2. 如果物流信息 **3 个工作日**没有更新，请带上订单号联系我们。\n"
            "3. 我们会向快递公司发起查询；包裹丢失时为您补发或退款。",
        ),
    ),
    (
        "returns",
        "public",
        ["returns", "refund"],
        (
            "Returns policy",
            "You can return unworn items with their tags within **30 days** of delivery.\n\n"
            "- Start the return from *My orders → Return items*.\n"
            "- Print the prepaid label and drop the parcel at any post office.\n"
            "- Sale items can be exchanged but not refunded.\n\n"
            "Underwear and earrings cannot be returned for hygiene reasons.",
        ),
        (
            "退换货政策",
            "商品签收后 **30 天**内，未穿着且吊牌完好可申请退换货。\n\n"
            "- 在“我的订单 → 申请退换货”中提交申请。\n- 打印预付运单，交给任意邮局即可。\n"
            "- 特价商品只换不退。\n\n出于卫生原因，内衣和耳饰不支持退换。",
        ),
    ),
    (
        "returns",
        "public",
        ["refund"],
        (
            "When will I get my refund?",
            "We refund within **2 working days** of receiving your return. Your bank then "
            "needs 3–5 working days to show it; Alipay and WeChat Pay refunds usually arrive "
            "the same day.",
        ),
        (
            "申请退款流程",
            "收到退货后 **2 个工作日**内为您办理退款。银行卡退款一般 3–5 个工作日到账；"
            "支付宝和微信支付通常当天到账。\n\n如超过时间仍未到账，请联系在线客服并提供订单号。",
        ),
    ),
    (
        "orders",
        "public",
        ["invoice", "fapiao"],
        (
            "Invoices (fapiao)",
            "Every order comes with an electronic invoice sent to your email within 24 hours "
            "of delivery. For a company VAT invoice, add the company name and tax number "
            "under *My account → Invoice details* before you order.",
        ),
        (
            "发票说明",
            "每笔订单在签收后 24 小时内开具**电子发票**并发送到您的邮箱。"
            "需要增值税专用发票的企业客户，"
            "请在下单前于“我的账户 → 发票信息”中填写公司名称和税号。",
        ),
    ),
    (
        "sizes",
        "public",
        ["sizes", "fit"],
        (
            "Size guide",
            "| Size | Chest (cm) | Waist (cm) |\n|---|---|---|\n| S | 86–90 | 70–74 |\n"
            "| M | 91–96 | 75–80 |\n| L | 97–102 | 81–86 |\n| XL | 103–108 | 87–92 |\n\n"
            "Between two sizes? Take the larger one for outerwear.",
        ),
        (
            "尺码指南",
            "| 尺码 | 胸围（厘米） | 腰围（厘米） |\n|---|---|---|\n| S | 86–90 | 70–74 |\n"
            "| M | 91–96 | 75–80 |\n| L | 97–102 | 81–86 |\n| XL | 103–108 | 87–92 |\n\n"
            "介于两个尺码之间时，外套建议选大一码。",
        ),
    ),
    (
        "returns",
        "internal",
        ["script", "refund"],
        (
            "Refund call script (agents)",
            "1. Confirm the order number and the items.\n2. Check the return policy: "
            "within 30 days, tags on.\n3. Offer an exchange first; if the customer prefers, "
            "refund to the original payment.\n4. Say when the money arrives (see *When will "
            "I get my refund?*).",
        ),
        (
            "退款话术（内部）",
            "1. 核对订单号和商品。\n2. 确认符合退货政策：30 天内、吊牌完好。\n"
            "3. 先建议换货；客户坚持时原路退款。\n"
            "4. 告知到账时间（见《申请退款流程》）。",
        ),
    ),
]
