"""Carrier status words, the signed carrier webhook and the tracking CSV import."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.commerce.carriers import tracking_url_for
from kefu.commerce.models import Fulfilment, TrackingEvent
from kefu.commerce.schemas import TrackingStatus
from kefu.commerce.tracking_feed import import_tracking_csv, sign
from kefu.commerce.tracking_words import normalize_status
from kefu.db import Database
from kefu.kit.actor import Actor
from tests.commerce.logistics_factories import (
    make_order,
    make_store,
    seed_carriers,
    shipment,
)

SECRET = "carrier-secret-123"


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("已揽收", "in_transit"),
        ("运输中", "in_transit"),
        ("派送中", "out_for_delivery"),
        ("已签收", "delivered"),
        ("快件已被 菜鸟驿站 代签收", "delivered"),
        ("派送失败", "failed_attempt"),
        ("签收失败，客户不在", "failed_attempt"),
        ("未妥投", "failed_attempt"),
        ("异常", "exception"),
        ("退回", "exception"),
        ("OUT_FOR_DELIVERY", "out_for_delivery"),
        ("Delivered", "delivered"),
        ("in-transit", "in_transit"),
        ("Pre-Transit", "info_received"),
        ("Delivery attempted", "failed_attempt"),
        ("Return to sender", "exception"),
        ("expired", "expired"),
    ],
)
def test_carrier_words_map_to_kefu_status(word: str, status: str) -> None:
    assert normalize_status(word) == TrackingStatus(status)


def test_unknown_words_map_to_nothing() -> None:
    assert normalize_status("banana") is None
    assert normalize_status("  ") is None


def test_tracking_url_from_the_carrier_pattern(database: Database) -> None:
    seed_carriers(database)
    with database.sessions() as session:
        assert tracking_url_for(session, "ups", "1Z 999") == (
            "https://www.ups.com/track?tracknum=1Z%20999"
        )
        assert tracking_url_for(session, "顺丰", "SF123").endswith("/waybill-detail/SF123")
        assert tracking_url_for(session, "DHL Express", "42").endswith("tracking-id=42")
        assert tracking_url_for(session, "nobody", "42") == ""
        assert tracking_url_for(session, "ups", "") == ""


def _shipped(database: Database) -> int:
    store = make_store(database)
    seed_carriers(database, secrets={"sf-express": SECRET})
    order = make_order(database, store=store, fulfilments=[shipment()])
    with database.sessions() as session:
        return session.scalars(select(Fulfilment.id).where(Fulfilment.order_id == order.id)).one()


def _events(database: Database) -> list[tuple[str, str]]:
    with database.sessions() as session:
        rows = session.execute(
            select(TrackingEvent.status, TrackingEvent.source).order_by(TrackingEvent.happened_at)
        )
        return [(row[0], row[1]) for row in rows]


def _status(database: Database, fulfilment_id: int) -> str:
    with database.sessions() as session:
        return session.get_one(Fulfilment, fulfilment_id).status


SCANS = [
    {
        "tracking_number": "SF1000000001",
        "status": "已揽收",
        "happened_at": "2026-10-01T10:00:00+08:00",
        "location": "深圳",
    },
    {
        "tracking_number": "SF1000000001",
        "status": "派送中",
        "happened_at": "2026-10-02T09:00:00+08:00",
        "description": "快递员正在派件",
    },
]


def test_signed_webhook_records_scans_once(client: Any, database: Database) -> None:
    # given
    fulfilment_id = _shipped(database)
    body = json.dumps(SCANS, ensure_ascii=False).encode()
    headers = {"X-Kefu-Signature": sign(body, SECRET), "Content-Type": "application/json"}
    # when
    first = client.post("/api/v1/webhooks/carriers/sf-express", content=body, headers=headers)
    replay = client.post("/api/v1/webhooks/carriers/sf-express", content=body, headers=headers)
    # then
    assert first.status_code == 200, first.text
    assert first.json() == {"recorded": 2, "duplicates": 0, "unknown": [], "errors": []}
    assert replay.json()["recorded"] == 0 and replay.json()["duplicates"] == 2
    assert _events(database) == [("in_transit", "webhook"), ("out_for_delivery", "webhook")]
    assert _status(database, fulfilment_id) == "out_for_delivery"


def test_older_scan_arriving_late_does_not_roll_the_status_back(
    client: Any, database: Database
) -> None:
    fulfilment_id = _shipped(database)
    for scan in reversed(SCANS):
        body = json.dumps(scan).encode()
        response = client.post(
            "/api/v1/webhooks/carriers/sf-express",
            content=body,
            headers={"X-Kefu-Signature": "sha256=" + sign(body, SECRET)},
        )
        assert response.status_code == 200
    assert _status(database, fulfilment_id) == "out_for_delivery"


def test_tampered_webhook_is_401_and_stores_nothing(client: Any, database: Database) -> None:
    fulfilment_id = _shipped(database)
    body = json.dumps(SCANS).encode()
    signature = sign(body, SECRET)
    tampered = body.replace(b"SF1000000001", b"SF1000000002", 1)
    for content, headers in (
        (tampered, {"X-Kefu-Signature": signature}),
        (body, {"X-Kefu-Signature": sign(body, "another-secret")}),
        (body, {}),
    ):
        response = client.post(
            "/api/v1/webhooks/carriers/sf-express", content=content, headers=headers
        )
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "invalid_signature"
    assert _events(database) == []
    assert _status(database, fulfilment_id) == "info_received"


def test_webhook_with_one_bad_scan_stores_nothing(client: Any, database: Database) -> None:
    _shipped(database)
    body = json.dumps([SCANS[0], {**SCANS[1], "status": "banana"}]).encode()
    response = client.post(
        "/api/v1/webhooks/carriers/sf-express",
        content=body,
        headers={"X-Kefu-Signature": sign(body, SECRET)},
    )
    assert response.status_code == 422
    assert "scan 2: unknown tracking status: 'banana'" in response.json()["detail"]
    assert _events(database) == []


def test_webhook_for_unknown_carrier_is_404(client: Any, database: Database) -> None:
    _shipped(database)
    response = client.post("/api/v1/webhooks/carriers/nobody", content=b"[]")
    assert response.status_code == 404


CSV = """运单号,状态,时间,地点,描述
SF1000000001,已揽收,2026-10-01 10:00,深圳,顺丰速运已收取快件
SF1000000001,运输中,2026-10-01 22:00,广州,
SF1000000001,不知道,2026-10-02 08:00,广州,
,已签收,2026-10-02 08:00,,
SF1000000001,已签收,not a time,,
NOPE0001,已签收,2026-10-03 12:00,,
SF1000000001,已签收,2026/10/03 12:00,上海,本人签收
"""


def test_csv_import_reports_bad_rows_and_imports_the_rest(database: Database) -> None:
    # given
    fulfilment_id = _shipped(database)
    # when
    with database.unit_of_work(actor=Actor.system()) as session:
        result = import_tracking_csv(session, data=CSV.encode(), time_zone="Asia/Shanghai")
    # then
    assert result.recorded == 3 and result.duplicates == 0
    assert result.unknown == ["NOPE0001"]
    assert result.errors == [
        (4, "unknown tracking status: '不知道'"),
        (5, "tracking_number is missing"),
        (6, "not a date or time: 'not a time'"),
    ]
    assert _events(database) == [("in_transit", "csv"), ("in_transit", "csv"), ("delivered", "csv")]
    with database.sessions() as session:
        fulfilment = session.get_one(Fulfilment, fulfilment_id)
        assert fulfilment.status == "delivered"
        assert fulfilment.delivered_at is not None
        assert fulfilment.delivered_at.replace(tzinfo=UTC) == datetime(2026, 10, 3, 4, tzinfo=UTC)


def test_csv_import_again_adds_nothing(database: Database) -> None:
    _shipped(database)
    data = CSV.encode("gb18030")  # as Excel in China saves it
    with database.unit_of_work(actor=Actor.system()) as session:
        first = import_tracking_csv(session, data=data, time_zone="Asia/Shanghai")
    with database.unit_of_work(actor=Actor.system()) as session:
        again = import_tracking_csv(session, data=data, time_zone="Asia/Shanghai")
    assert first.recorded == 3
    assert (again.recorded, again.duplicates) == (0, 3)
    with database.sessions() as session:
        assert session.scalar(select(func.count(TrackingEvent.id))) == 3


def test_csv_without_a_tracking_number_column_is_refused(database: Database) -> None:
    from kefu.errors import InvalidInput

    with database.unit_of_work(actor=Actor.system()) as session, pytest.raises(InvalidInput):
        import_tracking_csv(session, data=b"status,time\n,\n")
