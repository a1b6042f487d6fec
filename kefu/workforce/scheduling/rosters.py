"""Rosters and their shifts: create, edit by hand, publish; what each agent works when."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.workforce.scheduling import setup
from kefu.workforce.scheduling.models import Roster, Shift
from kefu.workforce.scheduling.queues import queues_by_id
from kefu.workforce.scheduling.schemas import RosterIn, RosterStatus, ShiftIn

MANAGE = setup.MANAGE


@dataclass(frozen=True, slots=True)
class Window:
    """A roster's span: local midnight of its first day to local midnight after its last."""

    start_at: datetime
    end_at: datetime
    interval_minutes: int
    time_zone: str

    @property
    def intervals(self) -> list[datetime]:
        step = timedelta(minutes=self.interval_minutes)
        count = int((self.end_at - self.start_at) / step)
        return [self.start_at + step * i for i in range(count)]


def local_midnight(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def window_of(roster: Roster) -> Window:
    end_day = roster.start_date + timedelta(days=roster.days)
    return Window(
        start_at=local_midnight(roster.start_date, roster.time_zone),
        end_at=local_midnight(end_day, roster.time_zone),
        interval_minutes=roster.interval_minutes,
        time_zone=roster.time_zone,
    )


def list_rosters(session: Session) -> list[Roster]:
    return list(session.scalars(select(Roster).order_by(Roster.start_date.desc(), Roster.id)))


def get_roster(session: Session, roster_id: int, *, lock: bool = False) -> Roster:
    statement = select(Roster).where(Roster.id == roster_id)
    roster = session.scalar(statement.with_for_update() if lock else statement)
    if roster is None:
        raise NotFound(_("no such roster"))
    return roster


def create_roster(session: Session, *, actor: Actor, data: RosterIn) -> Roster:
    """A draft roster for some queues; they must share a time zone and interval length."""
    require(actor, MANAGE)
    found = queues_by_id(session, data.queue_ids)
    missing = set(data.queue_ids) - set(found)
    if missing:
        raise InvalidInput(_("queue %(id)s does not exist", id=min(missing)))
    zones = {q.time_zone for q in found.values()}
    lengths = {q.interval_minutes for q in found.values()}
    if len(zones) > 1 or len(lengths) > 1:
        raise InvalidInput(_("the queues of one roster must share a time zone and interval length"))
    if data.rules_id is not None:
        setup.get_rules(session, data.rules_id)
    roster = Roster(
        name=data.name.strip(),
        start_date=data.start_date,
        days=data.days,
        time_zone=zones.pop(),
        interval_minutes=lengths.pop(),
        queue_ids=sorted(set(data.queue_ids)),
        rules_id=data.rules_id,
        status=RosterStatus.DRAFT.value,
    )
    session.add(roster)
    session.flush()
    return roster


def delete_roster(session: Session, *, actor: Actor, roster_id: int) -> None:
    require(actor, MANAGE)
    session.delete(get_roster(session, roster_id))
    session.flush()


def shifts_of(session: Session, roster_id: int) -> list[Shift]:
    return list(
        session.scalars(
            select(Shift).where(Shift.roster_id == roster_id).order_by(Shift.start_at, Shift.id)
        )
    )


def get_shift(session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(_("no such shift"))
    return shift


def _editable(session: Session, roster_id: int) -> Roster:
    roster = get_roster(session, roster_id, lock=True)
    if roster.status == RosterStatus.GENERATING:
        raise Conflict(_("the roster is being generated; wait until it is done"))
    return roster


def _check_shift(session: Session, roster: Roster, data: ShiftIn, own_id: int | None) -> None:
    window = window_of(roster)
    if data.start_at < window.start_at or data.end_at > window.end_at:
        raise InvalidInput(_("the shift must lie within the roster's days"))
    if data.queue_id is not None and data.queue_id not in roster.queue_ids:
        raise InvalidInput(_("the shift's queue is not one of the roster's"))
    accounts.get_agent(session, data.agent_id)
    overlap = session.scalar(
        select(Shift.id).where(
            Shift.agent_id == data.agent_id,
            Shift.id != (own_id or 0),
            Shift.start_at < data.end_at,
            Shift.end_at > data.start_at,
        )
    )
    if overlap is not None:
        raise Conflict(_("the agent already works then"))


def fitted_breaks(shift: Shift, start_at: datetime, end_at: datetime) -> list[dict[str, str]]:
    """Breaks moved with their shift; any that no longer fit are dropped."""
    moved = start_at - shift.start_at
    kept = []
    for item in shift.breaks or []:
        b_start = datetime.fromisoformat(item["start_at"]) + moved
        b_end = datetime.fromisoformat(item["end_at"]) + moved
        if start_at <= b_start and b_end <= end_at:
            kept.append({**item, "start_at": b_start.isoformat(), "end_at": b_end.isoformat()})
    return kept


def add_shift(session: Session, *, actor: Actor, roster_id: int, data: ShiftIn) -> Shift:
    require(actor, MANAGE)
    roster = _editable(session, roster_id)
    _check_shift(session, roster, data, None)
    shift = Shift(
        roster_id=roster.id,
        agent_id=data.agent_id,
        queue_id=data.queue_id if data.queue_id is not None else roster.queue_ids[0],
        start_at=data.start_at,
        end_at=data.end_at,
        breaks=[],
        is_manual=True,
    )
    session.add(shift)
    session.flush()
    return shift


def update_shift(session: Session, *, actor: Actor, shift_id: int, data: ShiftIn) -> Shift:
    """Move, resize or hand a shift to someone else; it is then kept on regeneration."""
    require(actor, MANAGE)
    shift = get_shift(session, shift_id)
    roster = _editable(session, shift.roster_id)
    _check_shift(session, roster, data, shift.id)
    shift.breaks = fitted_breaks(shift, data.start_at, data.end_at)
    shift.agent_id = data.agent_id
    shift.start_at = data.start_at
    shift.end_at = data.end_at
    if data.queue_id is not None:
        shift.queue_id = data.queue_id
    shift.is_manual = True
    session.flush()
    return shift


def move_shift(session: Session, *, actor: Actor, shift_id: int, start_at: datetime) -> Shift:
    """Drag on the timeline: the same shift, same length, starting elsewhere."""
    shift = get_shift(session, shift_id)
    data = ShiftIn(
        agent_id=shift.agent_id,
        start_at=start_at,
        end_at=start_at + (shift.end_at - shift.start_at),
        queue_id=shift.queue_id,
    )
    return update_shift(session, actor=actor, shift_id=shift_id, data=data)


def delete_shift(session: Session, *, actor: Actor, shift_id: int) -> int:
    require(actor, MANAGE)
    shift = get_shift(session, shift_id)
    _editable(session, shift.roster_id)
    roster_id = shift.roster_id
    session.delete(shift)
    session.flush()
    return roster_id


def publish_roster(session: Session, *, actor: Actor, roster_id: int) -> Roster:
    """Agents see a roster's shifts (and their feeds carry them) once it is published."""
    require(actor, MANAGE)
    roster = _editable(session, roster_id)
    if not shifts_of(session, roster.id):
        raise InvalidInput(_("the roster has no shifts yet: generate or add some first"))
    roster.status = RosterStatus.PUBLISHED.value
    roster.published_at = utcnow()
    session.flush()
    emit(session, "roster.published", subject_type="roster", subject_id=roster.id, actor=actor)
    return roster


def replace_generated_shifts(session: Session, roster_id: int, shifts: list[Shift]) -> None:
    """Swap a roster's generated shifts for a new run's; manual shifts stay."""
    session.execute(delete(Shift).where(Shift.roster_id == roster_id, Shift.is_manual.is_(False)))
    session.add_all(shifts)
    session.flush()


def published_shifts_of_agent(
    session: Session, agent_id: int, start_at: datetime, end_at: datetime
) -> list[Shift]:
    """An agent's shifts in published rosters overlapping a span: what they are to work."""
    return list(
        session.scalars(
            select(Shift)
            .join(Roster, Roster.id == Shift.roster_id)
            .where(
                Shift.agent_id == agent_id,
                Roster.status == RosterStatus.PUBLISHED.value,
                Shift.start_at < end_at,
                Shift.end_at > start_at,
            )
            .order_by(Shift.start_at)
        )
    )


def published_shifts(session: Session, start_at: datetime, end_at: datetime) -> list[Shift]:
    return list(
        session.scalars(
            select(Shift)
            .join(Roster, Roster.id == Shift.roster_id)
            .where(
                Roster.status == RosterStatus.PUBLISHED.value,
                Shift.start_at < end_at,
                Shift.end_at > start_at,
            )
            .order_by(Shift.agent_id, Shift.start_at)
        )
    )


def shifts_overlapping(
    session: Session, agent_id: int, start_at: datetime, end_at: datetime
) -> list[Shift]:
    """An agent's shifts in any roster (draft or published) overlapping a span."""
    return list(
        session.scalars(
            select(Shift).where(
                Shift.agent_id == agent_id, Shift.start_at < end_at, Shift.end_at > start_at
            )
        )
    )
