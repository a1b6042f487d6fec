"""Saved reports and report schedules: save the filters in view, open a saved report with
all its sections, export it, and mail it every day, week or month."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from kefu.analytics.reports import exports, service
from kefu.analytics.reports.build import build_report
from kefu.analytics.reports.catalog import DEFAULT_SECTIONS, SECTIONS
from kefu.analytics.reports.document import period_text
from kefu.analytics.reports.pages import filter_choices, report_zone
from kefu.analytics.reports.periods import last_complete_period, local_today
from kefu.analytics.reports.spec import FIELDS, spec_from, validation_reason
from kefu.config import LANGUAGES
from kefu.errors import InvalidInput, NotFound
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render

router = APIRouter()
_SEPARATORS = re.compile(r"[\s,;，；]+")


def _spec_values(form: FormData) -> dict[str, str]:
    return {name: forms.text(form, name) for name in FIELDS}


def _sections(form: FormData) -> list[str]:
    return [v for v in form.getlist("sections") if isinstance(v, str)]


def _checked(form: FormData, name: str) -> bool:
    return forms.text(form, name) in ("1", "on", "true")


def _validated(model: Any, **values: Any) -> Any:
    try:
        return model(**values)
    except ValidationError as exc:
        raise InvalidInput(validation_reason(exc)) from None


@router.post("/reports/saved", dependencies=[CsrfProtected])
def save_report(session: DbSession, actor: PageActor, form: forms.Form) -> Response:
    data = _validated(
        service.SavedReportIn,
        name=forms.text(form, "name"),
        spec=spec_from(_spec_values(form)),
        sections=_sections(form),
        is_shared=_checked(form, "is_shared"),
    )
    saved = service.create_saved_report(session, actor=actor, data=data)
    return redirect(f"/reports/saved/{saved.id}", _("Report “%(name)s” saved.", name=saved.name))


def _saved_report(request: Request, session: Any, actor: Any, report_id: int) -> Any:
    saved = service.get_saved_report(session, actor=actor, report_id=report_id)
    spec = service.spec_of(saved)
    zone = report_zone(request, spec)
    now = request.app.state.runtime.clock()
    report = build_report(
        session,
        spec=spec,
        sections=list(saved.sections),
        days=spec.days(now=now, time_zone=zone),
        time_zone=zone,
        title=saved.name,
        now=now,
    )
    return saved, spec, report


@router.get("/reports/saved/{report_id}", response_class=HTMLResponse)
def open_saved(request: Request, session: DbSession, actor: PageActor, report_id: int) -> Response:
    saved, spec, report = _saved_report(request, session, actor, report_id)
    context = {
        "report": report,
        "saved": saved,
        "spec": spec,
        "period": period_text(report.period),
        "previous": period_text(report.previous),
        "charts": [c.as_json() for s in report.sections for c in s.charts],
        **filter_choices(session, actor),
    }
    return render(request, "reports/saved.html", context)


@router.get("/reports/saved/{report_id}/export.{fmt}")
def export_saved(
    request: Request,
    session: DbSession,
    actor: PageActor,
    report_id: int,
    fmt: str,
    table: str | None = None,
) -> Response:
    """XLSX (every table, or `table`), PDF (the whole report) or CSV (`table`)."""
    saved, _spec, report = _saved_report(request, session, actor, report_id)
    chosen = report.table(table) if table is not None else None
    if table is not None and chosen is None:
        raise InvalidInput(_("no table %(table)s in this report", table=table))
    name = f"kefu-report-{saved.id}-{report.period.since.isoformat()}"
    if fmt == "xlsx":
        body = exports.xlsx_bytes(report, only=table)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        from kefu.analytics.reports.pdf import pdf_bytes  # reportlab: loaded when a PDF is made

        body, media = pdf_bytes(report), "application/pdf"
    elif fmt == "csv":
        if chosen is None:
            raise InvalidInput(_("name the table to export as CSV"))
        body, media, name = exports.csv_bytes(chosen), "text/csv; charset=utf-8", f"{name}-{table}"
    else:
        raise NotFound(_("a saved report exports as XLSX, PDF or CSV"))
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.post("/reports/saved/{report_id}/delete", dependencies=[CsrfProtected])
def delete_saved(session: DbSession, actor: PageActor, report_id: int) -> Response:
    service.delete_saved_report(session, actor=actor, report_id=report_id)
    return redirect("/reports", _("Saved report deleted."))


@router.get("/reports/schedules", response_class=HTMLResponse)
def schedules_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    """The schedules, and a form filled from the dashboard the manager came from."""
    require(actor, "reports.read")
    spec = spec_from(request.query_params)
    wanted = [s for s in request.query_params.getlist("sections") if s in SECTIONS]
    agent = getattr(request.state, "agent", None)
    context = {
        "schedules": service.list_schedules(session, actor=actor),
        "spec": spec,
        "chosen_sections": wanted or list(DEFAULT_SECTIONS),
        "default_zone": report_zone(request, spec),
        "default_language": agent.language if agent and agent.language in LANGUAGES else "en",
        "default_email": agent.email if agent else "",
        "languages": LANGUAGES,
        "spec_of": service.spec_of,
        **filter_choices(session, actor),
    }
    return render(request, "reports/schedules.html", context)


@router.post("/reports/schedules", dependencies=[CsrfProtected])
def create_schedule(session: DbSession, actor: PageActor, form: forms.Form) -> Response:
    hour = forms.text(form, "send_hour", "7")
    data = _validated(
        service.ScheduleIn,
        name=forms.text(form, "name"),
        spec=spec_from(_spec_values(form)),
        sections=_sections(form),
        frequency=forms.text(form, "frequency", "weekly"),
        recipients=[r for r in _SEPARATORS.split(forms.text(form, "recipients")) if r],
        time_zone=forms.text(form, "schedule_zone", "UTC"),
        language=forms.text(form, "language", "en"),
        send_hour=int(hour) if hour.isdigit() else -1,
    )
    schedule = service.create_schedule(session, actor=actor, data=data)
    return redirect("/reports/schedules", _("Schedule “%(name)s” saved.", name=schedule.name))


@router.post("/reports/schedules/{schedule_id}/active", dependencies=[CsrfProtected])
def set_active(
    session: DbSession, actor: PageActor, schedule_id: int, form: forms.Form
) -> Response:
    is_active = _checked(form, "is_active")
    service.set_schedule_active(session, actor=actor, schedule_id=schedule_id, is_active=is_active)
    return redirect(
        "/reports/schedules", _("Schedule resumed.") if is_active else _("Schedule paused.")
    )


@router.post("/reports/schedules/{schedule_id}/delete", dependencies=[CsrfProtected])
def delete_schedule(session: DbSession, actor: PageActor, schedule_id: int) -> Response:
    service.delete_schedule(session, actor=actor, schedule_id=schedule_id)
    return redirect("/reports/schedules", _("Schedule deleted."))


@router.get("/reports/schedules/{schedule_id}/preview.pdf")
def preview(request: Request, session: DbSession, actor: PageActor, schedule_id: int) -> Response:
    """The PDF the schedule would mail for its last complete period."""
    schedule = service.get_schedule(session, actor=actor, schedule_id=schedule_id)
    now = request.app.state.runtime.clock()
    period = last_complete_period(schedule.frequency, today=local_today(now, schedule.time_zone))
    report = build_report(
        session,
        spec=service.spec_of(schedule),
        sections=list(schedule.sections),
        days=period,
        time_zone=schedule.time_zone,
        title=schedule.name,
        now=now,
    )
    from kefu.analytics.reports.pdf import pdf_bytes  # reportlab: loaded when a PDF is made

    return Response(pdf_bytes(report), media_type="application/pdf")
