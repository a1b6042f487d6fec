"""Saved reports (a named spec and its sections, the owner's or shared) and report schedules
(daily, weekly or monthly mail to a list of addresses)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kefu.analytics.reports.catalog import SECTIONS
from kefu.analytics.reports.models import ReportSchedule, SavedReport
from kefu.analytics.reports.periods import zone
from kefu.analytics.reports.spec import ReportSpec
from kefu.config import LANGUAGES
from kefu.errors import InvalidInput, NotFound, PermissionDenied
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import can, require

MAX_RECIPIENTS = 20
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _sections(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown section {unknown[0]}; use {', '.join(SECTIONS)}")
    if not values:
        raise ValueError("pick at least one section")
    return list(dict.fromkeys(values))


class SavedReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    spec: ReportSpec = ReportSpec()
    sections: list[str] = Field(default_factory=lambda: ["overview"], max_length=len(SECTIONS))
    is_shared: bool = False

    @field_validator("sections")
    @classmethod
    def _check_sections(cls, values: list[str]) -> list[str]:
        return _sections(values)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a name must not be blank")
        return value.strip()


class ScheduleIn(SavedReportIn):
    frequency: Literal["daily", "weekly", "monthly"] = "weekly"
    recipients: list[EmailStr] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    time_zone: str = Field(default="UTC", max_length=64)
    language: str = "en"
    send_hour: int = Field(default=7, ge=0, le=23)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"use one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("recipients")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(v.lower() for v in values))


def _own_or_admin(actor: Actor, owner_id: int) -> None:
    if actor.agent_id != owner_id and not can(actor, "settings.manage"):
        raise PermissionDenied(_("only its owner or an administrator may change this"))


def create_saved_report(session: Session, *, actor: Actor, data: SavedReportIn) -> SavedReport:
    require(actor, "reports.read")
    if actor.agent_id is None:
        raise InvalidInput(_("a saved report belongs to an agent"))
    report = SavedReport(
        name=data.name,
        owner_id=actor.agent_id,
        is_shared=data.is_shared,
        spec=data.spec.model_dump(mode="json", exclude_defaults=True),
        sections=data.sections,
    )
    session.add(report)
    session.flush()
    return report


def list_saved_reports(session: Session, *, actor: Actor) -> list[SavedReport]:
    """The actor's own reports and those shared with everyone, by name."""
    require(actor, "reports.read")
    mine = SavedReport.owner_id == actor.agent_id if actor.agent_id else False
    statement = select(SavedReport).where(or_(SavedReport.is_shared.is_(True), mine))
    return list(session.scalars(statement.order_by(SavedReport.name, SavedReport.id)))


def get_saved_report(session: Session, *, actor: Actor, report_id: int) -> SavedReport:
    """Someone else's private report is "not found", not "forbidden": it stays private."""
    require(actor, "reports.read")
    report = session.get(SavedReport, report_id)
    if report is None or not (report.is_shared or report.owner_id == actor.agent_id):
        raise NotFound(_("no saved report %(id)s", id=report_id))
    return report


def delete_saved_report(session: Session, *, actor: Actor, report_id: int) -> None:
    report = get_saved_report(session, actor=actor, report_id=report_id)
    _own_or_admin(actor, report.owner_id)
    session.delete(report)
    session.flush()


def spec_of(stored: SavedReport | ReportSchedule) -> ReportSpec:
    return ReportSpec.model_validate(stored.spec or {})


def create_schedule(session: Session, *, actor: Actor, data: ScheduleIn) -> ReportSchedule:
    require(actor, "reports.read")
    if actor.agent_id is None:
        raise InvalidInput(_("a report schedule belongs to an agent"))
    schedule = ReportSchedule(
        name=data.name,
        owner_id=actor.agent_id,
        frequency=data.frequency,
        recipients=list(data.recipients),
        time_zone=data.time_zone,
        language=data.language,
        send_hour=data.send_hour,
        spec=data.spec.model_dump(mode="json", exclude_defaults=True),
        sections=data.sections,
        is_active=True,
    )
    session.add(schedule)
    session.flush()
    return schedule


def list_schedules(session: Session, *, actor: Actor) -> list[ReportSchedule]:
    """Every schedule: whoever reads reports sees what is mailed, and to whom."""
    require(actor, "reports.read")
    return list(session.scalars(select(ReportSchedule).order_by(ReportSchedule.name)))


def get_schedule(session: Session, *, actor: Actor, schedule_id: int) -> ReportSchedule:
    require(actor, "reports.read")
    schedule = session.get(ReportSchedule, schedule_id)
    if schedule is None:
        raise NotFound(_("no report schedule %(id)s", id=schedule_id))
    return schedule


def set_schedule_active(
    session: Session, *, actor: Actor, schedule_id: int, is_active: bool
) -> ReportSchedule:
    schedule = get_schedule(session, actor=actor, schedule_id=schedule_id)
    _own_or_admin(actor, schedule.owner_id)
    schedule.is_active = is_active
    session.flush()
    return schedule


def delete_schedule(session: Session, *, actor: Actor, schedule_id: int) -> None:
    schedule = get_schedule(session, actor=actor, schedule_id=schedule_id)
    _own_or_admin(actor, schedule.owner_id)
    session.delete(schedule)
    session.flush()
