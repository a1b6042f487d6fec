"""The live-chat report pages: /reports/chat (figures, chart, tables), its CSV/XLSX export and
the chats (or offline-message tickets) behind each number."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.accounts import service as accounts
from kefu.analytics.reports import exports
from kefu.analytics.reports.document import period_text
from kefu.analytics.reports.periods import PRESETS, custom_range, local_today, preset_range, zone
from kefu.channels.chat import report
from kefu.channels.chat.report_queries import widget_names
from kefu.errors import InvalidInput, NotFound
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()
DEFAULT_RANGE = "last_30"


def _day(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("%(name)s is not a date (YYYY-MM-DD)", name=name)) from None


def _scope(
    request: Request,
    *,
    range_: str | None,
    since: str | None,
    until: str | None,
    tz: str | None,
    widget: int | None,
    agent: int | None,
) -> report.Scope:
    """Both dates make a custom range; otherwise the preset (last 30 days)."""
    me = getattr(request.state, "agent", None)
    time_zone = tz or (me.time_zone if me is not None else None)
    time_zone = time_zone or request.app.state.runtime.settings.time_zone
    zone(time_zone)  # refuses an unknown zone with its reason
    first, last = _day(since, "since"), _day(until, "until")
    if first is not None and last is not None and range_ in (None, "", "custom"):
        days = custom_range(first, last)
    else:
        today = local_today(request.app.state.runtime.clock(), time_zone)
        days = preset_range(range_ or DEFAULT_RANGE, today=today)
    return report.Scope(days, time_zone, widget, agent)


@router.get("/reports/chat", response_class=HTMLResponse)
def chat_report_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    range: str | None = None,
    since: str | None = None,
    until: str | None = None,
    tz: str | None = None,
    widget: int | None = None,
    agent: int | None = None,
) -> Response:
    require(actor, "reports.read")
    scope = _scope(
        request, range_=range, since=since, until=until, tz=tz, widget=widget, agent=agent
    )
    found = report.chat_report(session, scope=scope, actor=actor, now=_now(request))
    context = {
        "report": found,
        "section": found.sections[0],
        "scope": scope,
        "range": range or ("custom" if since and until else DEFAULT_RANGE),
        "presets": PRESETS,
        "period": period_text(found.period),
        "previous": period_text(found.previous),
        "charts": [c.as_json() for c in found.sections[0].charts],
        "widgets": widget_names(session),
        "agents": accounts.list_agents(session, actor=actor, include_inactive=False),
        "export_base": "/reports/chat",
        "export_query": scope.query(),
    }
    return render(request, "chat/report.html", context)


def _now(request: Request) -> datetime:
    moment: datetime = request.app.state.runtime.clock()
    return moment


@router.get("/reports/chat/export.{fmt}")
def chat_report_export(
    request: Request,
    session: DbSession,
    actor: PageActor,
    fmt: str,
    table: str | None = None,
    range: str | None = None,
    since: str | None = None,
    until: str | None = None,
    tz: str | None = None,
    widget: int | None = None,
    agent: int | None = None,
) -> Response:
    """XLSX: the summary and every table (or `table` only). CSV: the table `table`."""
    require(actor, "reports.read")
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("exports are CSV or XLSX"))
    scope = _scope(
        request, range_=range, since=since, until=until, tz=tz, widget=widget, agent=agent
    )
    found = report.chat_report(session, scope=scope, actor=actor, now=_now(request))
    keys = [t.key for t in found.tables()]
    if table is not None and table not in keys:
        raise InvalidInput(
            _("no table %(table)s here; use one of %(tables)s", table=table, tables=", ".join(keys))
        )
    stem = f"kefu-chat-{scope.days.since.isoformat()}-{scope.days.until.isoformat()}"
    if fmt == "xlsx":
        body = exports.xlsx_bytes(found, only=table)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        if table is None:
            raise InvalidInput(_("name the table to export: %(tables)s", tables=", ".join(keys)))
        chosen = found.table(table)
        assert chosen is not None
        body, media, stem = exports.csv_bytes(chosen), "text/csv; charset=utf-8", f"{stem}-{table}"
    headers = {"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)


@router.get("/reports/chat/chats", response_class=HTMLResponse)
def chat_report_drill(
    request: Request,
    session: DbSession,
    actor: PageActor,
    metric: str = "started",
    range: str | None = None,
    since: str | None = None,
    until: str | None = None,
    tz: str | None = None,
    widget: int | None = None,
    agent: int | None = None,
) -> Response:
    """The chats behind a number, each with its ticket."""
    require(actor, "reports.read")
    scope = _scope(
        request, range_=range, since=since, until=until, tz=tz, widget=widget, agent=agent
    )
    rows = report.drill_rows(session, scope, metric)
    title = report.DRILL_TITLES[metric]
    n = metric.removeprefix("rating_") if metric.startswith("rating_") else None
    context = {
        "title": _(title, n=n) if n else _(title),
        "rows": rows,
        "scope": scope,
        "period": period_text(scope.days),
        "widgets": widget_names(session),
        "agents": {a.id: a.name for a in accounts.list_agents(session, actor=actor)},
        "offline": None,
    }
    return render(request, "chat/report_drill.html", context)


@router.get("/reports/chat/offline", response_class=HTMLResponse)
def chat_report_offline(
    request: Request,
    session: DbSession,
    actor: PageActor,
    range: str | None = None,
    since: str | None = None,
    until: str | None = None,
    tz: str | None = None,
) -> Response:
    """The tickets "leave a message" opened while chat was closed."""
    require(actor, "reports.read")
    scope = _scope(request, range_=range, since=since, until=until, tz=tz, widget=None, agent=None)
    context = {
        "title": _("Missed: offline messages"),
        "rows": [],
        "scope": scope,
        "period": period_text(scope.days),
        "widgets": {},
        "agents": {},
        "offline": report.offline_drill(session, scope),
    }
    return render(request, "chat/report_drill.html", context)
