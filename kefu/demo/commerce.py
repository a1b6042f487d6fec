"""Demo step: two shops (one in USD, one in CNY for mainland marketplaces) and the order
behind every demo ticket — items, payment, shipment and tracking scans — so the ticket page
shows the order the customer writes about."""

import random
import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce import links, orders, stores
from kefu.commerce.schemas import (
    Address,
    CustomerIn,
    FulfilmentIn,
    OrderIn,
    OrderItemIn,
    StoreCreate,
    TrackingEventIn,
)
from kefu.customers import service as customers
from kefu.db import Database
from kefu.demo import DemoStep
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets import fields
from kefu.tickets.messages import list_messages
from kefu.tickets.models import Ticket

DEMO_NUMBER = re.compile(r"\b(?:US|CN)\d{6}\b")
# (sku, title, variant, category, price in minor units, final sale)
CATALOG_EN = [
    ("JKT-RAIN-NV-M", "Packable rain jacket", "Navy / M", "outerwear", 8900, False),
    ("SHO-RUN-42", "Trail running shoes", "EU 42", "footwear", 12000, False),
    ("HOO-GRY-M", "Organic cotton hoodie", "Grey / M", "apparel", 5500, False),
    ("MUG-CER-WHT", "Ceramic mug", "White", "home", 1800, False),
    ("SCF-WOOL-RED", "Merino scarf", "Red", "accessories", 3500, True),
    ("TEE-BLK-L", "Organic tee", "Black / L", "apparel", 2500, False),
]
CATALOG_ZH = [
    ("CN-DRS-BLU-M", "真丝连衣裙", "蓝色 / M", "服装", 39900, False),
    ("CN-SHO-39", "小白鞋", "39 码", "鞋靴", 29900, False),
    ("CN-TEA-LJ", "明前龙井 250g", "礼盒装", "食品", 16800, True),
    ("CN-BAG-BLK", "通勤双肩包", "黑色", "箱包", 19900, False),
    ("CN-CUP-GLS", "双层玻璃杯", "350ml", "家居", 5900, False),
]
CARRIERS_EN = [("UPS", "https://www.ups.com/track?tracknum={n}"), ("Royal Mail", "")]
CARRIERS_ZH = [("顺丰速运", "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{n}")]
SCANS_EN = [
    ("info_received", "Label created", "Leeds"),
    ("in_transit", "Departed facility", "Manchester hub"),
    ("out_for_delivery", "Out for delivery", "Leeds"),
    ("delivered", "Delivered, left with neighbour", "Leeds"),
]
SCANS_ZH = [
    ("info_received", "已揽收", "杭州"),
    ("in_transit", "运输中，已到达上海转运中心", "上海"),
    ("out_for_delivery", "派送中", "北京朝阳区"),
    ("delivered", "已签收，本人签收", "北京朝阳区"),
]


def _stores(database: Database) -> tuple[int, int]:
    system = Actor.system()
    with database.unit_of_work(actor=system) as session:
        made = {s.name: s.id for s in stores.list_stores(session)}
        for data in (
            StoreCreate(name="Lumen Outfitters", currency="USD", time_zone="Europe/London"),
            StoreCreate(
                name="优选生活馆", currency="CNY", time_zone="Asia/Shanghai", language="zh_Hans"
            ),
        ):
            if data.name not in made:
                made[data.name] = stores.create_store(session, actor=system, data=data).id
    return made["Lumen Outfitters"], made["优选生活馆"]


def _shipment(
    number: str, placed: object, rng: random.Random, *, chinese: bool
) -> list[FulfilmentIn]:
    stage = rng.choices([0, 1, 2, 3, 4, 5], [2, 2, 4, 2, 6, 1])[0]
    if stage == 0:
        return []  # not shipped yet
    carrier, pattern = rng.choice(CARRIERS_ZH if chinese else CARRIERS_EN)
    tracking = (
        f"SF{rng.randint(10**11, 10**12 - 1)}"
        if chinese
        else f"1Z{rng.randint(10**15, 10**16 - 1)}"
    )
    scans = (SCANS_ZH if chinese else SCANS_EN)[: min(stage, 4)]
    moment = placed + timedelta(hours=20)  # type: ignore[operator]
    events = []
    for status, text, where in scans:
        events.append(
            TrackingEventIn(status=status, happened_at=moment, description=text, location=where)
        )
        moment += timedelta(hours=rng.uniform(10, 40))
    if stage == 5:  # a carrier problem for the delivery-chasing list
        events.append(
            TrackingEventIn(
                status="exception",
                happened_at=moment,
                description="包裹破损，退回中转站" if chinese else "Address not found",
            )
        )
    return [
        FulfilmentIn(
            external_id=f"F-{number}",
            carrier=carrier,
            tracking_number=tracking,
            tracking_url=pattern.format(n=tracking) if pattern else "",
            weight_grams=rng.randint(200, 2500),
            shipping_cost_minor=rng.choice([450, 690, 1200]) if not chinese else 1200,
            shipped_at=events[0].happened_at,
            events=events,
        )
    ]


def _order(number: str, email: str, name: str, rng: random.Random, chinese: bool) -> OrderIn:
    placed = utcnow() - timedelta(days=rng.uniform(2, 40))
    catalog = CATALOG_ZH if chinese else CATALOG_EN
    picks = rng.sample(catalog, k=rng.choice([1, 2, 2, 3]))
    items = [
        OrderItemIn(
            external_id=f"{number}-{index}",
            sku=sku,
            title=title,
            variant_title=variant,
            category=category,
            quantity=rng.choice([1, 1, 1, 2]),
            unit_price_minor=price,
            is_final_sale=final,
        )
        for index, (sku, title, variant, category, price, final) in enumerate(picks, 1)
    ]
    subtotal = sum(i.unit_price_minor * i.quantity for i in items)
    shipping = 0 if chinese else 495
    shipments = _shipment(number, placed, rng, chinese=chinese)
    fulfilled = "fulfilled" if shipments else "unfulfilled"
    paid = rng.random() > 0.05
    address = (
        Address(
            name=name, address1="建国路 88 号", city="北京", province="北京市", country_code="CN"
        )
        if chinese
        else Address(
            name=name,
            address1="12 Harbour St",
            city="Leeds",
            postal_code="LS1 4AB",
            country_code="GB",
        )
    )
    return OrderIn(
        external_id=f"demo-{number}",
        number=number,
        currency="CNY" if chinese else "USD",
        customer=CustomerIn(email=email, name=name),
        email=email,
        subtotal_minor=subtotal,
        shipping_minor=shipping,
        total_minor=subtotal + shipping,
        payment_status="paid" if paid else "pending",
        fulfilment_status=fulfilled if paid else "unfulfilled",
        placed_at=placed,
        paid_at=placed if paid else None,
        updated_at=placed + timedelta(days=1),
        shipping_address=address,
        items=items,
        fulfilments=shipments if paid else [],
    )


def _number_in_first_message(session: Session, ticket_id: int) -> str:
    """New demo tickets have no order-number field yet: the customer wrote it."""
    messages = list_messages(session, ticket_id)
    found = DEMO_NUMBER.search(messages[0].body_text) if messages else None
    return found.group(0) if found else ""


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    rng = random.Random(20261123)
    english_store, chinese_store = _stores(database)
    with database.sessions() as session:
        ticket_ids = list(session.scalars(select(Ticket.id).order_by(Ticket.id)))
    made = 0
    for start in range(0, len(ticket_ids), 100):
        batch = ticket_ids[start : start + 100]
        with database.unit_of_work(actor=Actor.system()) as session:
            values = fields.current_values(session, batch)
            for ticket_id in batch:
                number = str(values.get(ticket_id, {}).get("order_number") or "")
                number = number or _number_in_first_message(session, ticket_id)
                ticket = session.get(Ticket, ticket_id)
                if not number or ticket is None:
                    continue
                customer = customers.get_customer(session, ticket.requester_id)
                emails = [
                    i.value
                    for i in customers.identities_of(session, [customer.id])[customer.id]
                    if i.kind == "email"
                ]
                if not emails:
                    continue
                chinese = number.startswith("CN")
                store = stores.get_store(session, chinese_store if chinese else english_store)
                data = _order(number, emails[0], customer.name, rng, chinese)
                order, _changed = orders.upsert_order(session, store=store, data=data)
                links.attach_order(
                    session, actor=Actor.system(), ticket_id=ticket_id, order_id=order.id
                )
                made += 1
        advance(len(batch))
    return made


STEP = DemoStep(name="commerce", run=run, size=lambda scale: 120 * scale)
