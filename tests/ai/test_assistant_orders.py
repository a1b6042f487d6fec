"""What the assistant says about a verified order: only stored facts and the store's written
return policy (window per category from delivery, final sale, restocking fee)."""

from datetime import timedelta

from kefu.ai.assistant import orders
from kefu.db import Database
from tests.commerce.actions_factories import NOW, make_shop, set_policy


def _describe(database: Database, order_id: int, topic: str, days_later: int = 0) -> str:
    with database.sessions() as session:
        return orders.describe(
            session, order_id=order_id, topic=topic, now=NOW + timedelta(days=days_later)
        )


def test_return_eligibility_follows_the_written_policy(database: Database) -> None:
    # given: delivered 12 days ago; apparel 14 days with a 10% fee, home is final sale
    shop = make_shop(database)
    set_policy(database, store_id=shop.store_id, category="apparel", return_window_days=14,
               restocking_fee_percent=10)  # fmt: skip
    set_policy(database, store_id=shop.store_id, category="home", is_final_sale=True)
    delivered = (NOW - timedelta(days=12)).date()
    # when
    today = _describe(database, shop.order_id, "return")
    later = _describe(database, shop.order_id, "return", days_later=5)
    # then
    until = (delivered + timedelta(days=14)).isoformat()
    assert today.splitlines()[1:] == [
        f"T-shirt (M): can be returned until {until} (14-day return window). "
        "A restocking fee of 10% applies.",
        "Mug: final sale, it cannot be returned under the store's policy.",
    ]
    assert later.splitlines()[1] == f"T-shirt (M): the 14-day return window ended on {until}."


def test_an_unshipped_order_has_no_tracking_and_nothing_to_return(database: Database) -> None:
    shop = make_shop(database, shipped=False, delivered_at=None)
    text = _describe(database, shop.order_id, "status")
    assert text.splitlines()[1:] == [
        "It has not been shipped yet, so there is no tracking number yet.",
        "Nothing has shipped yet, so there is nothing to return yet.",
    ]
    assert "not shipped" in text.splitlines()[0]


def test_a_delivered_shipment_says_when_and_links_the_tracking(database: Database) -> None:
    shop = make_shop(database, number="2002")
    [line] = _describe(database, shop.order_id, "tracking").splitlines()[1:]
    delivered = (NOW - timedelta(days=12)).date().isoformat()
    assert line.startswith("Shipment 1Z2002 (ups): Delivered. Last scan ")
    assert line.endswith(
        f": Delivered. Delivered {delivered}. https://www.ups.com/track?tracknum=1Z2002"
    )
