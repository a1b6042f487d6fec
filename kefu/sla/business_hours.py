"""Business-hours schedules: editing them, assigning them to teams and stores, and which one
applies to a ticket (its team's, else its store's, else the default, else always open)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.commerce import stores
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import cached
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.sla.calendar import AlwaysOpen, BusinessCalendar, Calendar, Holiday, Interval
from kefu.sla.models import BusinessSchedule, ScheduleStore, ScheduleTeam
from kefu.sla.schemas import HolidayIn, IntervalIn, ScheduleIn, ScheduleRead
from kefu.tickets import service as tickets

MANAGE = "rules.manage"


def calendar_of(schedule: BusinessSchedule | None) -> Calendar:
    """The arithmetic for a schedule; no schedule is always open."""
    if schedule is None:
        return AlwaysOpen()
    intervals = tuple(Interval(i["weekday"], i["start"], i["end"]) for i in schedule.weekly)
    holidays = tuple(Holiday(h["month"], h["day"], h.get("year")) for h in schedule.holidays)
    return BusinessCalendar(schedule.time_zone, intervals, holidays)


def list_schedules(session: Session) -> list[BusinessSchedule]:
    return list(session.scalars(select(BusinessSchedule).order_by(BusinessSchedule.name)))


def get_schedule(session: Session, schedule_id: int) -> BusinessSchedule:
    schedule = session.get(BusinessSchedule, schedule_id)
    if schedule is None:
        raise NotFound(_("business hours %(id)s not found", id=schedule_id))
    return schedule


def assignments(session: Session) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Team ids and store ids per schedule id."""
    teams: dict[int, list[int]] = {}
    shops: dict[int, list[int]] = {}
    for row in session.scalars(select(ScheduleTeam).order_by(ScheduleTeam.team_id)):
        teams.setdefault(row.schedule_id, []).append(row.team_id)
    for link in session.scalars(select(ScheduleStore).order_by(ScheduleStore.store_id)):
        shops.setdefault(link.schedule_id, []).append(link.store_id)
    return teams, shops


def schedule_read(session: Session, schedule: BusinessSchedule) -> ScheduleRead:
    teams, shops = assignments(session)
    return ScheduleRead(
        id=schedule.id,
        name=schedule.name,
        time_zone=schedule.time_zone,
        intervals=[
            IntervalIn(
                weekday=i["weekday"],
                start=f"{i['start'] // 60:02d}:{i['start'] % 60:02d}",
                end=f"{i['end'] // 60:02d}:{i['end'] % 60:02d}",
            )
            for i in schedule.weekly
        ],
        holidays=[
            HolidayIn(name=h.get("name", ""), on=_holiday_text(h)) for h in schedule.holidays
        ],
        is_default=schedule.is_default,
        team_ids=teams.get(schedule.id, []),
        store_ids=shops.get(schedule.id, []),
    )


def _holiday_text(holiday: dict[str, int | None]) -> str:
    month_day = f"{holiday['month']:02d}-{holiday['day']:02d}"
    return month_day if holiday.get("year") is None else f"{holiday['year']:04d}-{month_day}"


def _apply(session: Session, schedule: BusinessSchedule, data: ScheduleIn) -> None:
    for team_id in data.team_ids:
        try:
            accounts.get_team(session, team_id)
        except NotFound:
            raise InvalidInput(_("there is no team %(id)s", id=team_id)) from None
    for store_id in data.store_ids:
        try:
            stores.get_store(session, store_id)
        except NotFound:
            raise InvalidInput(_("there is no store %(id)s", id=store_id)) from None
    weekly = sorted(
        (
            {"weekday": i.weekday, "start": i.minutes[0], "end": i.minutes[1]}
            for i in data.intervals
        ),
        key=lambda i: (i["weekday"], i["start"]),
    )
    holidays = []
    for holiday in data.holidays:
        month, day, year = holiday.parts
        holidays.append({"name": holiday.name.strip(), "month": month, "day": day, "year": year})
    calendar_of(BusinessSchedule(time_zone=data.time_zone, weekly=weekly, holidays=holidays))
    same_name = session.scalar(
        select(BusinessSchedule.id).where(
            BusinessSchedule.name == data.name, BusinessSchedule.id != (schedule.id or 0)
        )
    )
    if same_name is not None:
        raise Conflict(_("there are already business hours named %(name)s", name=data.name))
    schedule.name = data.name
    schedule.time_zone = data.time_zone
    schedule.weekly = weekly
    schedule.holidays = holidays
    if data.is_default and not schedule.is_default:
        for other in session.scalars(select(BusinessSchedule).where(BusinessSchedule.is_default)):
            other.is_default = False  # one default; through the ORM so the audit log sees it
    schedule.is_default = data.is_default
    session.add(schedule)
    session.flush()
    _assign(session, schedule.id, ScheduleTeam, "team_id", data.team_ids)
    _assign(session, schedule.id, ScheduleStore, "store_id", data.store_ids)


def _assign(
    session: Session,
    schedule_id: int,
    model: type[ScheduleTeam] | type[ScheduleStore],
    key: str,
    ids: list[int],
) -> None:
    """Exactly these teams (or stores) work to this schedule; each leaves any other one."""
    wanted = set(ids)
    for row in session.scalars(select(model).where(model.schedule_id == schedule_id)):
        if getattr(row, key) not in wanted:
            session.delete(row)
    for item_id in wanted:
        row = session.get(model, item_id)
        if row is None:
            session.add(model(**{key: item_id, "schedule_id": schedule_id}))
        elif row.schedule_id != schedule_id:
            row.schedule_id = schedule_id
    session.flush()


def create_schedule(session: Session, *, actor: Actor, data: ScheduleIn) -> BusinessSchedule:
    require(actor, MANAGE)
    schedule = BusinessSchedule()
    _apply(session, schedule, data)
    return schedule


def update_schedule(
    session: Session, *, actor: Actor, schedule_id: int, data: ScheduleIn
) -> BusinessSchedule:
    require(actor, MANAGE)
    schedule = get_schedule(session, schedule_id)
    _apply(session, schedule, data)
    return schedule


def delete_schedule(session: Session, *, actor: Actor, schedule_id: int) -> None:
    """Its teams and stores fall back to the default schedule (or to always open)."""
    require(actor, MANAGE)
    schedule = get_schedule(session, schedule_id)
    for model in (ScheduleTeam, ScheduleStore):
        for row in session.scalars(select(model).where(model.schedule_id == schedule_id)):
            session.delete(row)
    session.flush()
    session.delete(schedule)
    session.flush()


def schedule_for(
    session: Session, *, team_id: int | None, store_id: int | None
) -> BusinessSchedule | None:
    """The team's schedule, else the store's, else the default one, else None (always open)."""
    if team_id is not None:
        link = session.get(ScheduleTeam, team_id)
        if link is not None:
            return get_schedule(session, link.schedule_id)
    if store_id is not None:
        shop = session.get(ScheduleStore, store_id)
        if shop is not None:
            return get_schedule(session, shop.schedule_id)
    return session.scalars(
        select(BusinessSchedule).where(BusinessSchedule.is_default).limit(1)
    ).first()


def calendar_for(session: Session, *, team_id: int | None, store_id: int | None) -> Calendar:
    """The calendar of `schedule_for` (in a batch handler: looked up once per team and store,
    built once per schedule, so teams in the same hours share one calendar)."""

    def of_schedule() -> Calendar:
        schedule = schedule_for(session, team_id=team_id, store_id=store_id)
        key = ("sla.schedule_calendar", schedule.id if schedule is not None else None)
        return cached(session, key, lambda: calendar_of(schedule))

    return cached(session, ("sla.calendar", team_id, store_id), of_schedule)


def calendar_for_ticket(session: Session, ticket_id: int) -> Calendar:
    ticket = tickets.get_ticket(session, ticket_id, include_deleted=True)
    return calendar_for(session, team_id=ticket.team_id, store_id=ticket.store_id)


def in_business_hours(session: Session, *, ticket_id: int, at: datetime) -> bool:
    """Whether `at` is inside the business hours that apply to the ticket (always, when no
    schedule applies)."""
    return calendar_for_ticket(session, ticket_id).is_open(at)
