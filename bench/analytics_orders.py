"""The analytics benchmark's orders, refunds and returns (what the commerce dashboard and
pre-sale conversion read): made at load time from a fixed seed — the customers' orders
through the year, some refunded, some returned — and written in bulk like the tickets."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from bench.analytics_data import DAYS, END
from kefu.commerce import stores
from kefu.commerce.reasons import REASON_CODES
from kefu.commerce.schemas import StoreCreate
from kefu.db import Database
from kefu.kit.actor import Actor

ORDERS_PER_CUSTOMER = [(0, 45), (1, 30), (2, 15), (3, 7), (5, 3)]  # about 1 each
REFUND_SHARE, RETURN_SHARE = 0.06, 0.04
BATCH = 20_000

ORDER_COLUMNS = [
    "id", "store_id", "external_id", "number", "customer_id", "email", "phone", "currency",
    "subtotal_minor", "discount_minor", "shipping_minor", "tax_minor", "total_minor",
    "refunded_minor", "payment_status", "fulfilment_status", "status", "cancel_reason",
    "shipping_address", "billing_address", "discount_codes", "note", "tags", "placed_at",
    "details", "created_at", "updated_at",
]  # fmt: skip
REFUND_COLUMNS = [
    "id", "order_id", "currency", "amount_minor", "shipping_minor", "method", "items",
    "restock", "reason", "note", "processed_at", "created_at",
]  # fmt: skip
RETURN_COLUMNS = [
    "id", "order_id", "rma", "state", "reason", "items", "photos", "instructions",
    "restocking_fee_minor", "refund_minor", "resolution", "rejection_reason",
    "state_changed_at", "created_at", "updated_at",
]  # fmt: skip


def make_store(database: Database) -> int:
    system = Actor.system()
    with database.unit_of_work(actor=system) as session:
        return stores.create_store(session, actor=system, data=StoreCreate(name="Bench shop")).id


def batches(customers: int, store_id: int, seed: int = 19) -> Iterator[dict[str, list[Any]]]:
    """{"orders": rows, "refunds": rows, "order_returns": rows} a batch of customers at a
    time; every moment before END."""
    rng = random.Random(seed)
    counts, weights = zip(*ORDERS_PER_CUSTOMER, strict=True)
    start = END - timedelta(days=DAYS)
    order_id = refund_id = return_id = 0
    for low in range(0, customers, BATCH):
        found: dict[str, list[Any]] = {"orders": [], "refunds": [], "order_returns": []}
        for customer in range(low + 1, min(customers, low + BATCH) + 1):
            for _n in range(rng.choices(counts, weights)[0]):
                order_id += 1
                placed = start + timedelta(seconds=rng.randrange(DAYS * 86400))
                total = rng.randrange(1_000, 40_000)
                found["orders"].append([
                    order_id, store_id, f"b{order_id}", str(100_000 + order_id), customer,
                    f"c{customer}@bench.example", "", "EUR", total, 0, 0, 0, total, 0, "paid",
                    "fulfilled", "open", "", {}, {}, [], "", [], placed, {}, placed, placed,
                ])  # fmt: skip
                later = placed + timedelta(days=rng.randint(2, 20), seconds=rng.randrange(86400))
                if later >= END:
                    continue
                if rng.random() < REFUND_SHARE:
                    refund_id += 1
                    found["refunds"].append([
                        refund_id, order_id, "EUR", total // rng.choice((1, 2)), 0, "original",
                        [], False, "", "", later, later,
                    ])  # fmt: skip
                elif rng.random() < RETURN_SHARE / (1 - REFUND_SHARE):
                    return_id += 1
                    found["order_returns"].append([
                        return_id, order_id, f"RMA-{return_id}", "requested",
                        rng.choice(REASON_CODES), [], [], "", 0, 0, "refund", "", later, later,
                        later,
                    ])  # fmt: skip
        yield found


COLUMNS = {"orders": ORDER_COLUMNS, "refunds": REFUND_COLUMNS, "order_returns": RETURN_COLUMNS}
