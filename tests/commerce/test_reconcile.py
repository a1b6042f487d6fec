"""Monthly carrier reconciliation (物流对账): each kind of finding, totals, the XLSX export
read back with openpyxl, and the pages."""

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kefu.commerce import reconcile
from kefu.commerce.models import Reconciliation
from kefu.commerce.reconcile_xlsx import workbook_bytes
from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.commerce.logistics_factories import (
    carrier,
    make_order,
    make_store,
    seed_carriers,
    shipment,
)
from tests.web.helpers import csrf_token, sign_in

OCT = datetime(2026, 10, 5, tzinfo=UTC)
MANAGER = Actor(kind="agent", name="Mia", agent_id=None, role="manager")

# 运单号 SF1 matches; SF2 weighs more; SF3 costs more; SF4 twice; SF9 unknown; SF5 not invoiced
INVOICE = """运单号,日期,重量(kg),运费(元)
SF1,2026-10-05,1.2,18.00
SF2,2026-10-06,2.5,18.00
SF3,2026-10-07,1.2,25.50
SF4,2026-10-08,1.2,18.00
SF4,2026-10-08,1.2,18.00
SF9,2026-10-09,0.5,12.00
,2026-10-09,0.5,12.00
SF6,2026-10-09,0.5,lots
"""


def _shipments(database: Database) -> None:
    store = make_store(database)
    seed_carriers(database)
    for number in ("SF1", "SF2", "SF3", "SF4", "SF5"):
        make_order(
            database,
            store=store,
            number=number.removeprefix("SF") + "00",
            fulfilment_status="fulfilled",
            fulfilments=[shipment(tracking_number=number, shipped_at=OCT)],
        )
    # another carrier's and another month's shipments are not expected on this invoice
    make_order(
        database,
        store=store,
        number="700",
        fulfilments=[shipment(tracking_number="ZT7", carrier="中通", shipped_at=OCT)],
    )
    make_order(
        database,
        store=store,
        number="800",
        fulfilments=[shipment(tracking_number="SF8", shipped_at=datetime(2026, 9, 30, tzinfo=UTC))],
    )


def _run(database: Database, data: str = INVOICE) -> Reconciliation:
    sf = carrier(database, "sf-express")
    with database.unit_of_work(actor=MANAGER) as session:
        return reconcile.reconcile_invoice(
            session,
            actor=MANAGER,
            carrier_id=sf.id,
            month="2026-10",
            data=data.encode(),
            file_name="sf-2026-10.csv",
            currency="CNY",
        )


def test_each_kind_of_finding_and_the_totals(database: Database) -> None:
    # given
    _shipments(database)
    # when
    made = _run(database)
    # then
    found = sorted(((f["kind"], f["tracking_number"], f["line"]) for f in made.lines), key=str)
    assert found == [
        ("duplicate", "SF4", 6),
        ("fee", "SF3", 4),
        ("missing_in_kefu", "SF9", 7),
        ("not_invoiced", "SF5", None),
        ("unreadable", "SF6", 9),
        ("unreadable", None, 8),
        ("weight", "SF2", 3),
    ]
    weight = next(f for f in made.lines if f["kind"] == "weight")
    assert (weight["invoice_weight_grams"], weight["kefu_weight_grams"]) == (2500, 1200)
    fee = next(f for f in made.lines if f["kind"] == "fee")
    assert (fee["invoice_fee_minor"], fee["kefu_fee_minor"], fee["difference_minor"]) == (
        2550,
        1800,
        750,
    )
    assert made.summary["overcharge_minor"] == 750 + 1800
    assert made.summary["unexplained_minor"] == 1200
    assert made.summary["invoiced_minor"] == 1800 * 4 + 2550 + 1200
    assert (made.summary["invoice_lines"], made.summary["shipments_in_month"]) == (6, 5)
    reasons = [f["reason"] for f in made.lines if f["kind"] == "unreadable"]
    assert reasons == ["the tracking number is missing", "fee is not a number: 'lots'"]


def test_english_headers_and_tolerances(database: Database) -> None:
    _shipments(database)
    invoice = "Tracking Number,Date,Weight (g),Fee\nSF1,2026-10-05,1250,18.01\n"
    sf = carrier(database, "sf-express")
    with database.unit_of_work(actor=MANAGER) as session:
        made = reconcile.reconcile_invoice(
            session,
            actor=MANAGER,
            carrier_id=sf.id,
            month="2026-10",
            data=invoice.encode(),
            tolerance=reconcile.Tolerance(weight_grams=100, fee_minor=1),
        )
    assert sorted(f["tracking_number"] for f in made.lines) == ["SF2", "SF3", "SF4", "SF5"]
    assert {f["kind"] for f in made.lines} == {"not_invoiced"}


def test_bad_month_or_file_stores_nothing(database: Database) -> None:
    _shipments(database)
    sf = carrier(database, "sf-express")
    for month, data in (("2026-13", INVOICE), ("2026-10", "运单号,重量\nSF1,1\n"), ("2026-10", "")):
        with pytest.raises(InvalidInput), database.unit_of_work(actor=MANAGER) as session:
            reconcile.reconcile_invoice(
                session, actor=MANAGER, carrier_id=sf.id, month=month, data=data.encode()
            )
    with database.sessions() as session:
        assert session.scalar(select(func.count(Reconciliation.id))) == 0


def test_xlsx_has_a_summary_and_a_sheet_per_kind(database: Database) -> None:
    _shipments(database)
    made = _run(database)
    book = load_workbook(io.BytesIO(workbook_bytes(made, carrier(database, "sf-express"))))
    assert book.sheetnames == [
        "summary",
        "missing_in_kefu",
        "not_invoiced",
        "duplicate",
        "weight",
        "fee",
        "unreadable",
    ]
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Month"] == "2026-10"
    assert summary["Overcharge (duplicates and higher fees)"] == 25.5
    assert summary["Fee differs"] == 1
    fee_rows = list(book["fee"].iter_rows(min_row=2, values_only=True))
    assert fee_rows == [(4, "SF3", "2026-10-07", "300", 1200, 1200, 25.5, 18, 7.5, None)]
    assert book["duplicate"].max_row == 2


def test_pages_upload_show_and_download(client: Any, database: Database) -> None:
    _shipments(database)
    make_agent(database, email="mia@example.com", role=Role.MANAGER)
    sign_in(client, "mia@example.com", PASSWORD)
    listing = client.get("/admin/logistics/reconciliations")
    assert listing.status_code == 200 and "No invoice checked yet" in listing.text
    sf = carrier(database, "sf-express")
    response = client.post(
        "/admin/logistics/reconciliations",
        data={
            "csrf_token": csrf_token(listing.text),
            "carrier_id": str(sf.id),
            "month": "2026-10",
            "currency": "CNY",
            "weight_tolerance_grams": "100",
            "fee_tolerance": "0",
        },
        files={"file": ("sf.csv", INVOICE.encode(), "text/csv")},
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "Invoice checked." in page.text and "SF9" in page.text
    assert "¥25.50" in page.text
    download = client.get(response.headers["location"] + "/export.xlsx")
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(download.content)).sheetnames[0] == "summary"


def test_agents_cannot_reconcile(client: Any, database: Database) -> None:
    make_agent(database, email="ann@example.com", role=Role.AGENT)
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get("/admin/logistics/reconciliations").status_code == 403
