"""The PDF and XLSX of a report with every section: they open, and carry each section's
title, figures and tables; Chinese text is drawn too."""

import io
from datetime import timedelta

import openpyxl
import pypdf

from kefu.analytics.reports import exports, pdf
from kefu.analytics.reports.build import build_report
from kefu.analytics.reports.catalog import SECTIONS
from kefu.analytics.reports.periods import DayRange
from kefu.analytics.reports.spec import ReportSpec
from kefu.kit import i18n
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime
from tests.accounts.factories import make_agent
from tests.analytics.reports.factories import seed, tag


def test_every_section_renders_to_pdf_and_xlsx(runtime: Runtime) -> None:
    # given tickets with a tag, some solved
    database = runtime.database
    ids = seed(database, make_agent(database, email="tom@example.com", name="汤姆"))
    tag(database, ids[0], "退款")
    now = utcnow()
    days = DayRange(now.date() - timedelta(days=6), now.date())
    # when
    with database.sessions() as session:
        report = build_report(
            session,
            spec=ReportSpec(),
            sections=list(SECTIONS),
            days=days,
            time_zone="UTC",
            title="Everything 全部",
            now=now,
        )
    document = pdf.pdf_bytes(report)
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(report)))
    # then
    reader = pypdf.PdfReader(io.BytesIO(document))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in (
        "Overview",
        "By channel",
        "Busiest hours",
        "Agent leaderboard",
        "Refunds and returns",
    ):
        assert title in text
    assert "Tickets created by weekday and hour" in text
    assert len(book.sheetnames) == 1 + len(report.tables())
    [heat_sheet] = [n for n in book.sheetnames if n.startswith("Tickets created by weekday")]
    heat = list(book[heat_sheet].iter_rows(values_only=True))
    assert len(heat) == 8 and sum(sum(r[1:]) for r in heat[1:]) == 5
    tags = {r[0]: r[1] for r in list(book["By tag"].iter_rows(values_only=True))[1:]}
    assert tags == {"退款": 1}


def test_a_chinese_report_reads_in_chinese_font(runtime: Runtime) -> None:
    token = i18n.current_language.set("zh_Hans")
    try:
        now = utcnow()
        with runtime.database.sessions() as session:
            report = build_report(
                session,
                spec=ReportSpec(),
                sections=["overview"],
                days=DayRange(now.date(), now.date()),
                time_zone="Asia/Shanghai",
                title="每周报表",
                now=now,
            )
        document = pdf.pdf_bytes(report)
    finally:
        i18n.current_language.reset(token)
    assert document.startswith(b"%PDF") and b"STSong-Light" in document
