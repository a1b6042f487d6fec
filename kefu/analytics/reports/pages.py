"""The reports hub, the dashboards (one per section), their exports and the drill-down from
any number to the tickets behind it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.analytics.reports import exports, service
from kefu.analytics.reports.build import build_report, drill_page
from kefu.analytics.reports.catalog import SECTIONS
from kefu.analytics.reports.document import period_text
from kefu.analytics.reports.periods import FREQUENCIES, PRESETS
from kefu.analytics.reports.spec import ReportSpec, spec_from
from kefu.commerce import stores
from kefu.errors import InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.tickets.schemas import Channel, TicketType
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()
MAX_DRILL_PAGE = 1000


def report_zone(request: Request, spec: ReportSpec) -> str:
    """The spec's zone, else the reader's own, else the instance's."""
    agent = getattr(request.state, "agent", None)
    return (
        spec.time_zone
        or (agent.time_zone if agent is not None else None)
        or (request.app.state.runtime.settings.time_zone)
    )


def filter_choices(session: Session, actor: Actor) -> dict[str, Any]:
    return {
        "presets": PRESETS,
        "stores": stores.list_stores(session),
        "teams": accounts.list_teams(session, actor=actor),
        "agents": accounts.list_agents(session, actor=actor, include_inactive=False),
        "channels": [c.value for c in Channel],
        "types": [t.value for t in TicketType],
        "sections": SECTIONS,
        "frequencies": FREQUENCIES,
    }


@router.get("/reports", response_class=HTMLResponse)
def hub(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "reports.read")
    context = {
        "sections": SECTIONS,
        "saved": service.list_saved_reports(session, actor=actor),
        "schedules": service.list_schedules(session, actor=actor),
        "frequencies": FREQUENCIES,
        "spec_of": service.spec_of,
    }
    return render(request, "reports/hub.html", context)


def _section(section: str) -> str:
    if section not in SECTIONS:
        raise NotFound(_("no report section %(name)s", name=section))
    return section


def _report(request: Request, session: Session, section: str) -> tuple[Any, ReportSpec]:
    spec = spec_from(request.query_params)
    zone = report_zone(request, spec)
    now = request.app.state.runtime.clock()
    report = build_report(
        session,
        spec=spec,
        sections=[_section(section)],
        days=spec.days(now=now, time_zone=zone),
        time_zone=zone,
        title=_(SECTIONS[section]),
        now=now,
    )
    return report, spec


@router.get("/reports/dashboard/{section}", response_class=HTMLResponse)
def dashboard(request: Request, session: DbSession, actor: PageActor, section: str) -> Response:
    require(actor, "reports.read")
    report, spec = _report(request, session, section)
    context = {
        "report": report,
        "section": report.sections[0],
        "current": section,
        "spec": spec,
        "period": period_text(report.period),
        "previous": period_text(report.previous),
        "charts": [c.as_json() for c in report.sections[0].charts],
        **filter_choices(session, actor),
    }
    return render(request, "reports/dashboard.html", context)


@router.get("/reports/dashboard/{section}/export.{fmt}")
def export(
    request: Request,
    session: DbSession,
    actor: PageActor,
    section: str,
    fmt: str,
    table: str | None = None,
) -> Response:
    """XLSX: the summary and every table of the section (or `table` only). CSV: one table,
    `table` (the section's first when it has only one)."""
    require(actor, "reports.read")
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("exports are CSV or XLSX"))
    report, _spec = _report(request, session, section)
    keys = [t.key for t in report.tables()]
    if table is not None and table not in keys:
        raise InvalidInput(
            _("no table %(table)s here; use one of %(tables)s", table=table, tables=", ".join(keys))
        )
    stem = f"kefu-{section}-{report.period.since.isoformat()}-{report.period.until.isoformat()}"
    if fmt == "xlsx":
        body = exports.xlsx_bytes(report, only=table)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        if table is None and len(keys) != 1:
            raise InvalidInput(_("name the table to export: %(tables)s", tables=", ".join(keys)))
        chosen = report.table(table or keys[0])
        assert chosen is not None
        body, media, stem = (
            exports.csv_bytes(chosen),
            "text/csv; charset=utf-8",
            f"{stem}-{chosen.key}",
        )
    headers = {"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)


@router.get("/reports/tickets", response_class=HTMLResponse)
def drill(
    request: Request,
    session: DbSession,
    actor: PageActor,
    metric: str,
    bucket: str | None = None,
    key: str | None = None,
    page: int = 1,
    cell: str | None = None,
) -> Response:
    """The tickets behind a number: the same filters, the figure's metric, and the bar's day
    (`bucket`), row (`key`) or heat map cell (`cell`, "weekday:hour")."""
    require(actor, "reports.read")
    if not 1 <= page <= MAX_DRILL_PAGE:
        raise InvalidInput(_("page runs from 1 to %(last)s", last=MAX_DRILL_PAGE))
    spec = spec_from(request.query_params)
    zone = report_zone(request, spec)
    now = request.app.state.runtime.clock()
    found = drill_page(
        session,
        spec=spec,
        days=spec.days(now=now, time_zone=zone),
        time_zone=zone,
        metric=metric,
        bucket=bucket,
        key=key,
        page=page,
        cell=cell,
    )
    base_query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    context = {
        "found": found,
        "spec": spec,
        "metric": metric,
        "bucket": bucket,
        "key": key,
        "cell": cell,
        "base_query": base_query,
    }
    return render(request, "reports/drill.html", context)
