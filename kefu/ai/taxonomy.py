"""The default e-commerce intent taxonomy and its seed examples (English and Chinese).

Names are data, not interface text: an admin renames, adds or removes intents per store."""

import csv
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Intent:
    id: str
    name: str
    name_zh: str


DEFAULT_INTENTS = (
    Intent("order_status", "Order status", "查询订单状态"),
    Intent("place_order_help", "Help placing an order", "下单咨询"),
    Intent("cancel_order", "Cancel order", "取消订单"),
    Intent("modify_order", "Change order", "修改订单"),
    Intent("change_shipping_address", "Change shipping address", "修改收货地址"),
    Intent("shipping_time", "Shipping and delivery time", "发货与送达时效"),
    Intent("urge_shipment", "Hurry shipment", "催发货"),
    Intent("shipping_options_fees", "Shipping options and fees", "配送方式与运费"),
    Intent("delivery_problem", "Delivery problem (lost, not received)", "物流异常（丢件、未收到）"),
    Intent("return_request", "Return", "申请退货"),
    Intent("exchange_request", "Exchange (size, colour)", "换货（尺码、颜色）"),
    Intent("refund_request", "Refund", "申请退款"),
    Intent("refund_status", "Refund status", "退款进度"),
    Intent("return_refund_policy", "Return and refund policy", "退换货政策 / 七天无理由"),
    Intent("damaged_defective", "Damaged or defective item", "商品破损 / 质量问题"),
    Intent("wrong_missing_item", "Wrong or missing item", "错发 / 漏发"),
    Intent("payment_methods", "Payment methods", "支付方式"),
    Intent("payment_problem", "Payment problem", "支付失败 / 重复扣款"),
    Intent("invoice", "Invoice", "发票"),
    Intent("fees_charges", "Fees and charges", "费用疑问"),
    Intent("price_promo", "Price, discount and coupon", "价格、优惠券与价保"),
    Intent("product_question", "Product question (pre-sale)", "商品咨询（材质、用法）"),
    Intent("size_fit", "Size and fit", "尺码与合身"),
    Intent("stock_availability", "Stock and restock", "库存 / 到货提醒"),
    Intent("account_access", "Sign-in and password", "登录与密码"),
    Intent("account_manage", "Account details", "账户注册与资料修改"),
    Intent("account_delete_privacy", "Delete account and privacy", "注销账户 / 隐私"),
    Intent("membership_subscription", "Membership and subscription", "会员与订阅"),
    Intent("site_technical_issue", "Website or app problem", "网站 / App 故障"),
    Intent("talk_to_human", "Talk to a person", "转人工"),
    Intent("contact_info_hours", "Contact details and hours", "联系方式与客服时间"),
    Intent("complaint", "Complaint", "投诉"),
    Intent("feedback_review", "Feedback and review", "评价与建议"),
)
OTHER = Intent("other", "Other", "其他")  # the classifier's answer when it is not confident
SEED_FILES = {"en": "intents_en.csv", "zh": "intents_zh.csv"}


def seed_examples(language: str | None = None) -> list[tuple[str, str]]:
    """(text, intent) pairs shipped with kefu, of one language or all."""
    pairs: list[tuple[str, str]] = []
    for lang, name in SEED_FILES.items():
        if language in (None, lang):
            text = resources.files("kefu.ai").joinpath("data", name).read_text(encoding="utf-8")
            pairs += [(row["text"], row["intent"]) for row in csv.DictReader(text.splitlines())]
    return pairs
