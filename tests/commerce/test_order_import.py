"""Importing orders into the embedded store from CSV and JSON files."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kefu.commerce.models import Fulfilment, Order, OrderItem
from kefu.commerce.order_import import import_orders, read_orders
from kefu.db import Database
from kefu.errors import InvalidInput
from tests.commerce.factories import make_store, order_in
from tests.test_cli import run_kefu

CSV = (Path(__file__).parent / "fixtures" / "embedded" / "orders.csv").read_text("utf-8")


def test_csv_import_groups_lines_reports_bad_rows_and_is_safe_to_repeat(
    database: Database, tmp_path: Path
) -> None:
    # given
    store = make_store(database)
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    # when
    candidates = read_orders(path, currency="USD")
    first = import_orders(database, store_id=store.id, candidates=candidates)
    again = import_orders(database, store_id=store.id, candidates=read_orders(path, currency="USD"))
    # then
    assert (first.total, first.created, first.unchanged) == (3, 2, 0)
    assert first.errors == ["line 4: not an ISO 8601 date and time: 'yesterday'"]
    assert (again.created, again.updated + again.unchanged) == (0, 2)
    with database.sessions() as session:
        order = session.scalars(select(Order).where(Order.number == "5001")).one()
        assert (order.subtotal_minor, order.shipping_minor, order.total_minor) == (8550, 495, 9045)
        assert order.shipping_address["country_code"] == "GB"
        lines = session.scalars(select(OrderItem).where(OrderItem.order_id == order.id)).all()
        assert [(i.sku, i.quantity, i.unit_price_minor, i.is_final_sale) for i in lines] == [
            ("TEE-1", 2, 2500, False),
            ("SCF-1", 1, 3550, True),
        ]
        assert session.scalars(select(Fulfilment.tracking_number)).all() == ["1Z0001"]
        tea = session.scalars(select(Order).where(Order.number == "5003")).one()
        assert (tea.currency, tea.total_minor) == ("CNY", 16800)


def test_json_import_takes_kefus_order_format(database: Database, tmp_path: Path) -> None:
    store = make_store(database)
    good = json.loads(order_in(number="7001").model_dump_json())
    path = tmp_path / "orders.json"
    path.write_text(json.dumps({"orders": [good, {"number": "7002"}]}), encoding="utf-8")
    report = import_orders(
        database, store_id=store.id, candidates=read_orders(path, currency="USD")
    )
    assert report.created == 1
    assert len(report.errors) == 1 and report.errors[0].startswith("order 2: ")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "the file is empty"),
        ("sku,title\nA,B\n", "the header lacks order_number, placed_at, quantity, unit_price"),
        ("[{", "not valid JSON"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / ("orders.json" if content.startswith("[") else "orders.csv")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=reason):
        read_orders(path, currency="USD")


def test_cli_import_prints_a_summary_and_exits_1_on_refused_rows(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    store = make_store(database)
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    env = {"KEFU_DATA_DIR": str(tmp_path / "data"), "KEFU_DATABASE_URL": database_url}
    result = run_kefu("commerce", "import", str(store.id), str(path), cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stderr
    assert "3 orders: 2 new, 0 updated, 0 unchanged, 1 refused." in result.stdout
    assert "line 4: not an ISO 8601 date and time: 'yesterday'" in result.stdout
    missing = run_kefu("commerce", "import", "999", str(path), cwd=tmp_path, env=env)
    assert missing.returncode != 0 and "store 999 does not exist" in missing.stderr
