"""Building a report from kefu.analytics' queries: each section's figures (with the previous
period), charts and tables, every number linked to the tickets behind it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.analytics import queries
from kefu.analytics.filters import ReportFilter
from kefu.analytics.reports.catalog import SECTIONS
from kefu.analytics.reports.document import Figure, Report, Section
from kefu.analytics.reports.labels import Labels
from kefu.analytics.reports.periods import DayRange, previous_range
from kefu.analytics.reports.sections import (
    breakdown_section,
    commerce_section,
    heatmap_section,
    overview_section,
)
from kefu.analytics.reports.spec import ReportSpec
from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext as _


def report_filter(spec: ReportSpec, days: DayRange, time_zone: str) -> ReportFilter:
    return ReportFilter(
        since=days.since,
        until=days.until,
        time_zone=time_zone,
        store_id=spec.store_id,
        channel=spec.channel.value if spec.channel else None,
        team_id=spec.team_id,
        agent_id=spec.agent_id,
        tag=spec.tag,
        type=spec.type.value if spec.type else None,
        intent=spec.intent,
    )


class Drill:
    """Links to the drill-down page for one report's filters and range."""

    def __init__(self, spec: ReportSpec, days: DayRange, time_zone: str) -> None:
        self.spec, self.days, self.time_zone = spec, days, time_zone

    def __call__(
        self,
        metric: str,
        *,
        bucket: date | None = None,
        key: str | None = None,
        span: DayRange | None = None,
        cell: tuple[int, int] | None = None,
    ) -> str:
        days = span or self.days
        base = self.spec.query(
            range="custom",
            since=days.since.isoformat(),
            until=days.until.isoformat(),
            time_zone=self.time_zone,
        )
        link = f"/reports/tickets?{base}&metric={metric}"
        if bucket is not None:
            link += f"&bucket={bucket.isoformat()}"
        if key is not None:
            from urllib.parse import quote

            link += f"&key={quote(key)}"
        if cell is not None:
            link += f"&cell={cell[0]}:{cell[1]}"
        return link


def build_report(
    session: Session,
    *,
    spec: ReportSpec,
    sections: list[str],
    days: DayRange,
    time_zone: str,
    title: str,
    now: datetime,
) -> Report:
    flt = report_filter(spec, days, time_zone)
    previous = previous_range(days)
    prev = replace(flt, since=previous.since, until=previous.until)
    drill = Drill(spec, days, time_zone)
    labels = Labels(session)
    built: list[Section] = []
    for key in sections:
        if key not in SECTIONS:
            raise InvalidInput(_("no report section %(name)s", name=key))
        if key == "overview":
            built.append(
                overview_section(session, flt=flt, prev=prev, drill=drill, labels=labels, now=now)
            )
        elif key == "heatmap":
            built.append(heatmap_section(session, flt=flt, labels=labels, drill=drill))
        elif key == "commerce":
            built.append(commerce_section(session, flt=flt, prev=prev, drill=drill, labels=labels))
        else:
            built.append(breakdown_section(session, flt=flt, by=key, drill=drill, labels=labels))
    return Report(
        title=title,
        period=days,
        previous=previous,
        time_zone=time_zone,
        filters=labels.filters(spec),
        sections=built,
        generated_at=now,
    )


def _shown(figure: Figure) -> str:
    from kefu.analytics.reports.pdf import format_value

    return format_value(figure.value, figure.kind)


def headline_lines(report: Report) -> list[str]:
    """The first section's figures as text lines, for the mail's body."""
    figures = [f for s in report.sections for f in s.figures][:8]
    return [f"{f.label}: {_shown(f)}" for f in figures]


def drill_page(
    session: Session,
    *,
    spec: ReportSpec,
    days: DayRange,
    time_zone: str,
    metric: str,
    bucket: str | None,
    key: str | None,
    page: int,
    cell: str | None = None,
) -> Any:
    try:
        day = date.fromisoformat(bucket) if bucket else None
    except ValueError:
        raise InvalidInput(
            _("bucket is a date like 2026-01-31, not “%(value)s”", value=bucket)
        ) from None
    if key is not None:
        by, _sep, value = key.partition(":")
        if by in ("store", "team", "agent") and not value.isdigit():
            raise InvalidInput(_("key %(key)s names no %(by)s", key=key, by=by))
    found_cell = None
    if cell is not None:
        weekday, _sep, hour = cell.partition(":")
        if not (weekday.isdigit() and hour.isdigit()):
            raise InvalidInput(
                _("cell is a weekday and an hour like 0:14, not “%(value)s”", value=cell)
            )
        found_cell = (int(weekday), int(hour))
    flt = report_filter(spec, days, time_zone)
    return queries.drilldown(
        session, flt=flt, metric=metric, bucket=day, key=key, page=page, cell=found_cell
    )
