"""Exports: CSV and XLSX hold the numbers the page shows, as numbers; the drill-down lists
the tickets behind a number."""

import csv
import io
import re
from typing import Any

import openpyxl

from kefu.db import Database
from tests.accounts.factories import make_agent
from tests.analytics.reports.factories import manager, seed


def _page_rows(html: str, table: str) -> list[list[str]]:
    body = html.split(f'data-table="{table}"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], flags=re.S)
    return [re.findall(r'data-value="([^"]*)"', row) for row in rows]


def test_the_channel_table_exports_to_csv_and_xlsx_with_the_pages_numbers(
    client: Any, database: Database
) -> None:
    # given three mails and two web forms, two of the mails solved
    manager(client, database)
    seed(database, make_agent(database, email="tom@example.com", name="Tom"))
    page = client.get("/reports/dashboard/channel?range=last_7")
    shown = _page_rows(page.text, "by_channel")
    # when
    as_csv = client.get("/reports/dashboard/channel/export.csv?range=last_7&table=by_channel")
    as_xlsx = client.get("/reports/dashboard/channel/export.xlsx?range=last_7")
    # then: CSV
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Channel", "Created", "Solved"]
    assert [line[:3] for line in lines[1:]] == [["Email", "3", "2"], ["Web", "2", "0"]]
    assert [row[1:3] for row in shown] == [["3", "2"], ["2", "0"]]
    # then: XLSX, numbers stored as numbers
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))
    assert book.sheetnames == ["Summary", "By channel"]
    sheet = book["By channel"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Channel", "Created", "Solved")
    assert [r[:3] for r in rows[1:]] == [("Email", 3, 2), ("Web", 2, 0)]
    assert isinstance(sheet["B2"].value, int)
    assert book["Summary"]["B2"].value.count("–") == 1  # the period


def test_the_overview_xlsx_holds_the_figures_with_their_previous_period(
    client: Any, database: Database
) -> None:
    manager(client, database)
    seed(database, make_agent(database, email="tom@example.com", name="Tom"))
    response = client.get("/reports/dashboard/overview/export.xlsx?range=last_7")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    figures = {r[0]: r[1:] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert figures["Tickets created"][:3] == (5, 0, 5)
    assert figures["Tickets solved"][:3] == (2, 0, 2)
    trend = list(book["Created and solved"].iter_rows(values_only=True))
    assert sum(r[1] for r in trend[1:]) == 5 and sum(r[2] for r in trend[1:]) == 2


def test_csv_needs_a_table_when_the_section_has_several(client: Any, database: Database) -> None:
    manager(client, database)
    response = client.get("/reports/dashboard/overview/export.csv")
    assert response.status_code == 422
    assert "created_solved" in response.text


def test_an_unknown_table_or_format_is_refused(client: Any, database: Database) -> None:
    manager(client, database)
    assert client.get("/reports/dashboard/channel/export.csv?table=nope").status_code == 422
    assert client.get("/reports/dashboard/channel/export.pdf").status_code == 404


def test_a_text_cell_that_looks_like_a_formula_is_quoted(client: Any, database: Database) -> None:
    from kefu.analytics.reports.document import Column, Table
    from kefu.analytics.reports.exports import csv_bytes

    table = Table("t", "T", (Column("Tag", "text"), Column("Created")), (("=HYPERLINK(1)", 4),))
    assert csv_bytes(table).decode("utf-8-sig").splitlines()[1] == "'=HYPERLINK(1),4"


def test_a_bar_drills_down_to_its_tickets(client: Any, database: Database) -> None:
    # given
    manager(client, database)
    ids = seed(database, make_agent(database, email="tom@example.com", name="Tom"))
    page = client.get("/reports/dashboard/channel?range=last_7")
    link = re.search(r'href="(/reports/tickets\?[^"]*key=channel%3Aweb[^"]*)"', page.text)
    assert link
    # when
    drilled = client.get(link.group(1).replace("&amp;", "&"))
    # then: the two web tickets
    assert drilled.status_code == 200
    listed = sorted(int(n) for n in re.findall(r'href="/tickets/(\d+)"', drilled.text))
    assert listed == sorted(ids[3:])
    assert "2 tickets" in drilled.text


def test_bad_drill_downs_are_refused_with_a_reason(client: Any, database: Database) -> None:
    manager(client, database)
    for query, reason in (
        ("metric=everything", "no ticket list"),
        ("metric=created&bucket=monday", "bucket"),
        ("metric=created&key=team:abc", "names no team"),
        ("metric=created&page=0", "page"),
        ("metric=created&key=planet:mars", "breakdown"),
    ):
        response = client.get(f"/reports/tickets?{query}")
        assert response.status_code == 422, query
        assert reason in response.text, query
    assert client.get("/reports/tickets").status_code == 422  # no metric
