"""What customers of an online store write about, and what agents answer, in English and
Chinese: the templates the inbox benchmark fills with order numbers, products and dates.

Slots: {name} {order} {product} {size} {size2} {color} {date} {tracking} {carrier} {amount}
{coupon} {agent} {store} {days}."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    weight: int
    tags: tuple[str, ...]
    team: tuple[int, int]  # team index for English, for Chinese customers
    subjects: tuple[tuple[str, ...], tuple[str, ...]]  # (English, Chinese)
    openings: tuple[tuple[str, ...], tuple[str, ...]]
    answers: tuple[tuple[str, ...], tuple[str, ...]]


def _t(*lines: str) -> tuple[str, ...]:
    return lines


TOPICS = [
    Topic("order_status", 20, ("where-is-my-order",), (0, 1),
          (_t("Where is my order {order}?", "Order {order} status", "Has my order shipped?",
              "No update on order {order}"),
           _t("订单{order}什么时候发货", "查询订单{order}", "我的订单到哪了",
              "订单{order}物流查询")),
          (_t("I placed order {order} on {date} and haven't received any shipping confirmation "
              "yet. Could you tell me when it will ship?",
              "Can you check the status of my order {order}? It was a {color} {product}.",
              "My order {order} still says processing. Is everything OK?"),
           _t("你好，我{date}下的订单{order}到现在还没发货，请问什么时候能发？",
              "订单{order}一直显示待发货，{product}什么时候能寄出？",
              "帮我查一下订单{order}的物流，买的是{color}{product}。")),
          (_t("Your order {order} shipped on {date} with {carrier}, tracking number {tracking}.",
              "Order {order} is packed and will leave our warehouse within 24 hours."),
           _t("您的订单{order}已于{date}通过{carrier}发出，运单号{tracking}，请注意查收。",
              "订单{order}已经打包好了，预计24小时内发货，物流信息稍后可查。"))),
    Topic("delivery_delay", 12, ("shipping-delay",), (2, 1),
          (_t("Package {tracking} is late", "Delivery delayed for order {order}",
              "Still waiting for my {product}", "Tracking hasn't moved in {days} days"),
           _t("物流{days}天没有更新", "快递一直不动", "订单{order}物流延误", "包裹还没收到")),
          (_t("The tracking for order {order} ({carrier} {tracking}) hasn't moved for {days} "
              "days. The delivery date was {date}. Where is my package?",
              "My {product} was supposed to arrive by {date} but it's still in transit. "
              "Order {order}.",
              "Tracking says delivered but I never got the parcel. Order {order}."),
           _t("我的快递{tracking}物流信息已经{days}天没有更新了，订单号{order}，麻烦帮忙催一下。",
              "{carrier}显示已签收，但是我根本没收到包裹，订单{order}。",
              "说好{date}送到的{product}到现在还没到，物流怎么这么慢？")),
          (_t("I've opened a trace with {carrier} for {tracking}; they expect delivery within "
              "{days} business days.",
              "Sorry for the delay. The carrier confirmed a backlog at the sorting center."),
           _t("已经联系{carrier}核实，运单{tracking}在中转站滞留，预计{days}天内送达。",
              "非常抱歉物流延误，我们已催促快递公司尽快派送，有进展会第一时间通知您。"))),
    Topic("refund", 12, ("refund",), (3, 1),
          (_t("Refund for order {order}", "When will I get my refund?",
              "Refund not received", "Request a refund of {amount}"),
           _t("申请退款", "退款什么时候到账", "订单{order}退款", "退款还没收到")),
          (_t("I returned the {product} from order {order} on {date}. When will the refund of "
              "{amount} be issued?",
              "I was told my refund was processed but I haven't received it. Order {order}.",
              "Please refund my order {order}, the {product} doesn't work."),
           _t("我{date}退回的{product}已经签收了，退款{amount}什么时候到账？订单{order}。",
              "订单{order}申请退款好几天了还没处理，麻烦尽快退款。",
              "{product}有质量问题，申请全额退款，订单号{order}。")),
          (_t("I've issued a refund of {amount} for order {order}. It should appear on your "
              "statement within 5-10 business days.",
              "Your refund for order {order} was approved today."),
           _t("订单{order}的退款{amount}已经处理，原路退回，预计1-3个工作日到账。",
              "您的退款申请已审核通过，款项会原路退回到您的支付账户。"))),
    Topic("return", 10, ("return",), (0, 1),
          (_t("Return request for order {order}", "How do I return my {product}?",
              "Return label for {order}"),
           _t("退货申请", "怎么退货", "{product}想退货", "订单{order}退货退款")),
          (_t("I'd like to return the {color} {product} from order {order}. It doesn't fit "
              "well. How do I get a return label?",
              "Can I still return my {product}? I bought it on {date}."),
           _t("订单{order}的{product}不喜欢，可以七天无理由退货吗？退货地址是多少？",
              "我想退货退款，{product}和图片差别太大了，订单{order}。")),
          (_t("I've emailed you a prepaid return label for order {order}. Once the {product} "
              "arrives we'll refund you within {days} days.",
              "Returns are accepted within 30 days; I've started return for order {order}."),
           _t("已为您申请退货，请在{days}天内寄回，收到商品后会尽快为您退款。",
              "退货地址已发送给您，寄回时请备注订单号{order}，运费由我们承担。"))),
    Topic("exchange", 10, ("exchange", "wrong-size"), (0, 1),
          (_t("Wrong size - exchange for order {order}", "Exchange {product} for size {size2}",
              "The {product} is too small"),
           _t("尺码不合适换货", "换货：{product}换{size2}码", "订单{order}申请换货")),
          (_t("I received the wrong size. I ordered a size {size} {product} but it's too small. "
              "Can I exchange it for a {size2}? Order {order}.",
              "The {color} {product} runs small, I need to exchange it for a size {size2}."),
           _t("买的{product}{size}码偏小，能不能换成{size2}码？订单{order}。",
              "尺码不对，我要换货，{color}{product}换大一码，订单号{order}。")),
          (_t("No problem - I've set up an exchange for size {size2}. Ship the {product} back "
              "with the label and we'll send the new one right away.",
              "Size {size2} is in stock; your exchange for order {order} is approved."),
           _t("已为您办理换货，{size2}码有现货，收到退回的{product}后马上给您发出。",
              "换货申请已通过，请将{product}寄回，我们会为您换成{size2}码。"))),
    Topic("damaged", 6, ("damaged",), (2, 1),
          (_t("Item arrived damaged", "Broken {product} in order {order}"),
           _t("收到的商品破损", "{product}坏了", "包裹破损")),
          (_t("My {product} arrived broken - the box was crushed. Photos attached. Order {order}.",
              "The {product} I received on {date} is damaged and doesn't turn on."),
           _t("收到的{product}是坏的，外包装都压扁了，订单{order}，要求换新或者退款。",
              "{date}收到货，{product}有划痕和破损，怎么处理？")),
          (_t("I'm sorry it arrived damaged. A replacement {product} ships today, no need to "
              "return the broken one.",
              "I've filed a damage claim with {carrier} and sent you a replacement."),
           _t("非常抱歉给您带来不便，已为您补发新的{product}，破损的不用寄回。",
              "已向{carrier}提交破损理赔，同时为您安排换新。"))),
    Topic("wrong_item", 4, ("wrong-item",), (0, 1),
          (_t("Wrong item received", "I got someone else's order"),
           _t("发错货了", "收到的商品不对")),
          (_t("I ordered a {color} {product} but received something completely different. "
              "Order {order}.",),
           _t("我买的是{color}{product}，收到的却是别的东西，订单{order}，请尽快处理。",)),
          (_t("Sorry about the mix-up! The correct {product} ships today with {carrier}.",),
           _t("抱歉发错货了，正确的{product}今天用{carrier}给您补发。",))),
    Topic("payment", 6, ("payment",), (3, 3),
          (_t("Charged twice for order {order}", "Payment failed", "Question about my invoice"),
           _t("重复扣款", "付款失败", "发票问题", "支付成功但订单显示未付款")),
          (_t("My card was charged twice ({amount}) for order {order}. Please refund the "
              "duplicate charge.",
              "Payment keeps failing at checkout although my card works elsewhere."),
           _t("订单{order}被扣了两次款，每次{amount}，请把多扣的钱退给我。",
              "付款显示成功，但订单{order}一直是待付款状态。", "请问怎么开增值税发票？")),
          (_t("The second charge was only an authorization and will drop off within {days} "
              "days.",
              "I can see one successful payment for order {order}; the other attempt was "
              "declined by the bank."),
           _t("第二笔是预授权，{days}天内会自动解冻退回。",
              "已核实订单{order}只成功扣款一次，另一笔是银行冻结，会自动返还。"))),
    Topic("coupon", 5, ("coupon", "promotion"), (0, 1),
          (_t("Coupon {coupon} not working", "Discount code didn't apply"),
           _t("优惠券{coupon}用不了", "满减活动没生效", "优惠券过期了")),
          (_t("The discount code {coupon} says invalid at checkout. It should give 20% off.",
              "I forgot to apply coupon {coupon} to order {order}. Can you adjust the price?"),
           _t("优惠券{coupon}结算时提示无效，能帮忙看看吗？",
              "下单时忘了用优惠券{coupon}，订单{order}能退差价吗？")),
          (_t("Coupon {coupon} excludes sale items; I've refunded the difference of {amount} "
              "as a courtesy.",),
           _t("优惠券{coupon}不适用于特价商品，已为您补偿差价{amount}。",))),
    Topic("cancel", 6, ("cancellation",), (0, 1),
          (_t("Cancel order {order}", "Please cancel my order"),
           _t("取消订单{order}", "我要取消订单", "拍错了，取消订单")),
          (_t("Please cancel order {order}, I ordered the wrong {product}.",
              "I need to cancel my order {order} before it ships."),
           _t("订单{order}拍错了，麻烦取消，还没发货吧？", "不想要了，帮我取消订单{order}。")),
          (_t("Order {order} is cancelled and the {amount} payment has been voided.",
              "The order had already shipped, so I've set up a return instead."),
           _t("订单{order}已取消，货款{amount}原路退回。",
              "订单已经发货无法取消，可以拒收后办理退款。"))),
    Topic("address", 4, ("address-change",), (2, 1),
          (_t("Change shipping address for {order}", "Wrong address on my order"),
           _t("修改收货地址", "地址填错了")),
          (_t("I entered the wrong shipping address for order {order}. Can you change it before "
              "it ships?",),
           _t("订单{order}收货地址填错了，还没发货的话请帮我改一下。",)),
          (_t("I've updated the shipping address on order {order}.",),
           _t("已为您修改订单{order}的收货地址。",))),
    Topic("product", 5, ("pre-sale",), (0, 1),
          (_t("Question about the {product}", "Is the {product} available in {color}?",
              "Size advice for {product}"),
           _t("{product}有{color}吗", "咨询{product}尺码", "什么时候补货")),
          (_t("Does the {product} come in {color}? And does it run true to size? I'm usually "
              "a {size}.",
              "When will the {product} be back in stock?"),
           _t("请问{product}有{color}的吗？我平时穿{size}码，选哪个尺码合适？",
              "{product}什么时候补货？")),
          (_t("Yes, the {product} comes in {color}; it runs true to size, so {size} will fit.",
              "It's back in stock on {date}; I've added you to the notification list."),
           _t("{product}有{color}的，尺码标准，建议选{size}码。",
              "预计{date}补货，到货后会通知您。"))),
]  # fmt: skip

# Replies later in a conversation, on any topic.
CUSTOMER_FOLLOWUPS = (
    _t("Any update on this?", "Thanks, but I still haven't received anything.",
       "Could you please check again? It has been {days} days.",
       "OK, I've sent the {product} back. Tracking {tracking}.",
       "That works for me, thank you!", "Is there a phone number I can call?",
       "I'm really disappointed with the service so far.", "Got it, thanks {agent}!"),
    _t("有进展了吗？", "还是没有收到，麻烦再查一下。", "已经{days}天了，怎么还没处理？",
       "好的，已经寄回了，单号{tracking}。", "可以，谢谢！", "能打电话联系吗？",
       "太慢了，很不满意。", "收到了，谢谢{agent}！"),
)  # fmt: skip
AGENT_FOLLOWUPS = (
    _t("Thanks for your patience. I've checked again and everything is on track.",
       "Just following up: has the {product} arrived?",
       "I've escalated this to our {store} warehouse team and will update you within 24 hours.",
       "Could you send a photo of the {product} and the shipping label?",
       "You're welcome! Let us know if there's anything else."),
    _t("感谢您的耐心等待，已再次核实，一切正常。", "请问{product}收到了吗？",
       "已经反馈给仓库，24小时内给您答复。", "麻烦提供一下{product}和快递面单的照片。",
       "不客气，有其他问题随时联系我们。"),
)  # fmt: skip
NOTES = (
    _t("Checked with the warehouse: parcel left on {date} via {carrier}.",
       "Customer has {days} previous tickets; approve the refund of {amount}.",
       "@{agent} can you look at this one? Possible duplicate charge.",
       "Called the customer, no answer. Will try again tomorrow.",
       "Carrier claim opened for {tracking}."),
    _t("已和仓库确认，{date}由{carrier}发出。", "老客户，退款{amount}可以直接批准。",
       "@{agent} 帮忙看一下，可能重复扣款。", "电话联系客户未接通，明天再联系。",
       "已向{carrier}提交理赔，单号{tracking}。"),
)  # fmt: skip
AGENT_FRAMES = (
    _t("Hi {name},\n\n{body}\n\nBest regards,\n{agent}\n{store} Support\n\n--\nTrack "
       "orders, start a return or find size guides any time in our Help Center.",
       "Hello {name},\n\nThank you for reaching out. {body}\n\nKind regards,\n{agent}",
       "Hi {name}, {body} Have a great day! - {agent}"),
    _t("{name}您好，\n\n{body}\n\n祝您生活愉快！\n{store}客服 {agent}\n\n"
       "查询物流、申请退换货、查看尺码表，请访问帮助中心。",
       "亲，{body} 有问题随时联系我们哦～", "您好，{body}\n{agent}"),
)  # fmt: skip
CUSTOMER_FRAMES = (
    _t("Hello,\n\n{body}\n\nThanks,\n{name}", "Hi there, {body}",
       "{body}\n\n{name}\n\nSent from my iPhone"),
    _t("你好，{body}", "{body}", "客服你好，{body} 谢谢。"),
)  # fmt: skip
