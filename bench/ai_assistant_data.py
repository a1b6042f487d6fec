"""A small hand-written help center and questions for the assistant's retrieval: questions an
article answers (with the article that does) and questions none covers (answer: None)."""

ARTICLES = [
    ("en", "shipping-times", "Shipping times",
     "We ship every order within 2 business days.\n\nDelivery in the UK takes 3 to 5 working "
     "days; Europe takes 5 to 8; the rest of the world 7 to 14."),
    ("en", "returns", "Returns and refunds",
     "You can return unworn items within 30 days of delivery.\n\nStart a return from your "
     "order page, print the label and drop the parcel at any post office. Refunds reach your "
     "card within 5 days of the parcel reaching us."),
    ("en", "sizes", "Size guide",
     "Our tees run small: if you are between sizes, take the larger one.\n\nMeasure your "
     "chest under the arms and compare it with the table on each product page."),
    ("en", "payment", "Payment methods",
     "We accept Visa, Mastercard, American Express, PayPal and Apple Pay.\n\nYour card is "
     "charged when the order ships."),
    ("en", "change-address", "Changing your delivery address",
     "You can change the address until the order ships: write to us with the order number "
     "and the new address.\n\nOnce shipped, the carrier decides whether it can be redirected."),
    ("en", "discount-codes", "Discount codes",
     "Enter the code at checkout in the Discount box.\n\nOne code per order; codes cannot be "
     "applied after the order is placed."),
    ("zh-CN", "peisong", "配送时间",
     "订单在两个工作日内发货。\n\n国内快递一般三到五天送达，偏远地区可能需要七天。"),
    ("zh-CN", "tuihuo", "退货和退款",
     "收到商品后三十天内可以申请退货。\n\n在订单页面点击申请退货，退款会在我们收到包裹后五天内原路退回。"),
    ("zh-CN", "fapiao", "发票",
     "我们提供电子发票。\n\n下单时填写发票抬头和税号，发货后电子发票会发送到您的邮箱。"),
    ("zh-CN", "chima", "尺码指南",
     "T恤偏小，如果在两个尺码之间，建议选大一号。\n\n请测量胸围并对照商品页面的尺码表。"),
    ("zh-CN", "zhifu", "支付方式",
     "支持微信支付、支付宝和银联卡。\n\n订单发货时才会扣款。"),
    ("zh-CN", "youhui", "优惠券使用",
     "在结算页面输入优惠券码。\n\n每个订单只能使用一张优惠券，下单后不能再补用。"),
]  # fmt: skip

QUESTIONS = [
    ("en", "How long does shipping to the UK take?", "shipping-times"),
    ("en", "When will my parcel arrive if I live in Germany?", "shipping-times"),
    ("en", "How fast do you dispatch orders?", "shipping-times"),
    ("en", "How long does a refund take?", "returns"),
    ("en", "How do I return an item?", "returns"),
    ("en", "Can I send back shoes I haven't worn?", "returns"),
    ("en", "Do your t-shirts run small?", "sizes"),
    ("en", "Which size should I pick if I'm between two sizes?", "sizes"),
    ("en", "Can I pay with PayPal?", "payment"),
    ("en", "When is my card charged?", "payment"),
    ("en", "I typed the wrong delivery address, can I change it?", "change-address"),
    ("en", "How do I use a discount code?", "discount-codes"),
    ("en", "Can I use two discount codes on one order?", "discount-codes"),
    ("en", "I forgot to enter my promo code, can you apply it now?", "discount-codes"),
    ("zh-CN", "快递几天能到？", "peisong"),
    ("zh-CN", "什么时候发货？", "peisong"),
    ("zh-CN", "怎么退货？", "tuihuo"),
    ("zh-CN", "退款多久到账？", "tuihuo"),
    ("zh-CN", "可以开发票吗？", "fapiao"),
    ("zh-CN", "电子发票怎么开？", "fapiao"),
    ("zh-CN", "我应该选什么尺码？", "chima"),
    ("zh-CN", "可以用支付宝付款吗？", "zhifu"),
    ("zh-CN", "优惠券怎么用？", "youhui"),
    ("zh-CN", "能同时用两张优惠券吗？", "youhui"),
    ("en", "Do you sell gift cards?", None),
    ("en", "Do you have a shop in London?", None),
    ("en", "Are your products vegan?", None),
    ("en", "Can I order by phone?", None),
    ("en", "Do you offer student discounts?", None),
    ("en", "Is the black hoodie back in stock?", None),
    ("en", "How do I delete my account?", None),
    ("en", "Do you offer gift wrapping?", None),
    ("en", "What is your phone number?", None),
    ("en", "Can I change my password?", None),
    ("zh-CN", "你们有实体店吗？", None),
    ("zh-CN", "可以货到付款吗？", None),
    ("zh-CN", "礼品卡怎么买？", None),
    ("zh-CN", "怎么注销账户？", None),
    ("zh-CN", "有学生优惠吗？", None),
    ("zh-CN", "商品是正品吗？", None),
]
