"""Assistant test data: a brand with a help center, articles in English and Chinese, and an
order in transit (made through the kb, help-center and commerce services)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from kefu.commerce.schemas import FulfilmentIn, TrackingEventIn
from kefu.db import Database
from tests.commerce.factories import make_order
from tests.helpcenter.factories import make_article, make_brand

SHIPPED = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
SCANNED = datetime(2026, 11, 3, 8, 15, tzinfo=UTC)


@dataclass(frozen=True)
class Shop:
    store_id: int
    shipping_article: int
    refunds_article: int


def make_shop(
    database: Database, *, number: str = "1001", email: str = "emily@example.com"
) -> Shop:
    from kefu.commerce import stores

    store_id = make_brand(database)
    shipping = make_article(
        database, store_id=store_id, slug="shipping-times", title="Shipping times",
        body="We ship every order within 2 business days.\n\n"
        "Delivery in the UK takes 3 to 5 working days after shipping; Europe takes 5 to 8.",
    )  # fmt: skip
    refunds = make_article(
        database, store_id=store_id, slug="refunds", title="Refunds and returns",
        body="You can return unworn items within 30 days of delivery for a refund.\n\n"
        "Open your order page and choose Return items; the refund reaches your card within "
        "5 days of the parcel reaching us.",
    )  # fmt: skip
    make_article(
        database, store_id=store_id, language="zh-CN", slug="tuikuan", title="如何申请退款",
        body="收到商品后三十天内可以申请退货退款。在订单页面点击申请退款即可。",
    )  # fmt: skip
    make_article(
        database, store_id=store_id, state="draft", slug="gift-cards-draft",
        title="Gift cards", body="Gift cards are coming soon and never expire.",
    )  # fmt: skip
    with database.sessions() as session:
        store = stores.get_store(session, store_id)
        session.expunge(store)
    shipment = FulfilmentIn(
        external_id=f"ful-{number}", carrier="Royal Mail", tracking_number="RM123456789GB",
        status="in_transit", shipped_at=SHIPPED,
        events=[
            TrackingEventIn(
                status="info_received", happened_at=SHIPPED, description="Label created"
            ),
            TrackingEventIn(status="in_transit", happened_at=SCANNED,
                            description="Arrived at the sorting centre", location="Leeds"),
        ],
    )  # fmt: skip
    make_order(database, store=store, number=number, email=email,
               shipments=[shipment], fulfilment_status="fulfilled")  # fmt: skip
    return Shop(store_id=store_id, shipping_article=shipping, refunds_article=refunds)
