"""Agents ask for time off and shift swaps; managers approve or deny them, seeing what an
approval does to coverage first."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.workforce.scheduling import coverage, rosters, setup
from kefu.workforce.scheduling.models import Shift, SwapRequest, TimeOffRequest
from kefu.workforce.scheduling.schemas import DecisionIn, RequestStatus, SwapIn, TimeOffIn

PENDING = RequestStatus.PENDING.value
OPEN = (RequestStatus.PENDING.value, RequestStatus.APPROVED.value)


def _me(actor: Actor) -> int:
    if actor.agent_id is None:
        raise PermissionDenied(_("only an agent asks for time off or a swap"))
    return actor.agent_id


def request_time_off(
    session: Session, *, actor: Actor, data: TimeOffIn, time_zone: str
) -> TimeOffRequest:
    """Whole local days off for the asking agent; never overlapping one already asked for."""
    agent_id = _me(actor)
    start_at = rosters.local_midnight(data.first_day, time_zone)
    end_at = rosters.local_midnight(data.last_day + timedelta(days=1), time_zone)
    clash = session.scalar(
        select(TimeOffRequest.id).where(
            TimeOffRequest.agent_id == agent_id,
            TimeOffRequest.status.in_(OPEN),
            TimeOffRequest.start_at < end_at,
            TimeOffRequest.end_at > start_at,
        )
    )
    if clash is not None:
        raise Conflict(_("you have already asked for time off on those days"))
    request = TimeOffRequest(
        agent_id=agent_id, start_at=start_at, end_at=end_at, reason=data.reason.strip()
    )
    session.add(request)
    session.flush()
    return request


def get_time_off(session: Session, request_id: int) -> TimeOffRequest:
    request = session.get(TimeOffRequest, request_id)
    if request is None:
        raise NotFound(_("no such time-off request"))
    return request


def cancel_time_off(session: Session, *, actor: Actor, request_id: int) -> TimeOffRequest:
    request = get_time_off(session, request_id)
    if request.agent_id != actor.agent_id:
        raise PermissionDenied(_("you can only cancel your own requests"))
    if request.status != PENDING:
        raise Conflict(_("only a pending request can be cancelled"))
    request.status = RequestStatus.CANCELLED.value
    session.flush()
    return request


@dataclass(frozen=True, slots=True)
class Impact:
    """What approving time off does: the shifts it removes and each roster's shortfall
    (agent-hours) before and after."""

    shift_ids: frozenset[int]
    rosters: list[tuple[str, float, float, int]]  # name, shortfall before, after, short intervals

    @property
    def worsens(self) -> bool:
        return any(after > before for _, before, after, _ in self.rosters)


def time_off_impact(session: Session, request: TimeOffRequest) -> Impact:
    shifts = rosters.shifts_overlapping(session, request.agent_id, request.start_at, request.end_at)
    ids = frozenset(s.id for s in shifts)
    rows = []
    for roster_id in sorted({s.roster_id for s in shifts}):
        roster = rosters.get_roster(session, roster_id)
        before = coverage.roster_coverage(session, roster)
        after = coverage.roster_coverage(session, roster, without=ids)
        rows.append(
            (roster.name, before.shortfall_hours, after.shortfall_hours, after.short_intervals)
        )
    return Impact(shift_ids=ids, rosters=rows)


def decide_time_off(
    session: Session, *, actor: Actor, request_id: int, data: DecisionIn
) -> TimeOffRequest:
    """Approving takes the agent off their shifts in those days (coverage is recomputed from
    the shifts left); denying leaves everything as it was."""
    require(actor, setup.MANAGE)
    request = get_time_off(session, request_id)
    if request.status != PENDING:
        raise Conflict(_("this request has already been decided"))
    if data.approve:
        impact = time_off_impact(session, request)
        for shift_id in impact.shift_ids:
            session.delete(session.get(Shift, shift_id))
    request.status = (RequestStatus.APPROVED if data.approve else RequestStatus.DENIED).value
    request.decided_by_id = actor.agent_id
    request.decided_at = utcnow()
    request.note = data.note.strip()
    session.flush()
    return request


def approved_time_off(
    session: Session, start_at: datetime, end_at: datetime
) -> list[TimeOffRequest]:
    return list(
        session.scalars(
            select(TimeOffRequest).where(
                TimeOffRequest.status == RequestStatus.APPROVED.value,
                TimeOffRequest.start_at < end_at,
                TimeOffRequest.end_at > start_at,
            )
        )
    )


def time_off_requests(
    session: Session, *, agent_id: int | None = None, pending_only: bool = False
) -> list[TimeOffRequest]:
    statement = select(TimeOffRequest).order_by(TimeOffRequest.start_at.desc())
    if agent_id is not None:
        statement = statement.where(TimeOffRequest.agent_id == agent_id)
    if pending_only:
        statement = statement.where(TimeOffRequest.status == PENDING)
    return list(session.scalars(statement))


def request_swap(session: Session, *, actor: Actor, data: SwapIn) -> SwapRequest:
    """Offer one of your published, future shifts for a colleague's (or to them)."""
    agent_id = _me(actor)
    shift = rosters.get_shift(session, data.shift_id)
    if shift.agent_id != agent_id:
        raise PermissionDenied(_("you can only offer your own shifts"))
    if shift.start_at <= utcnow():
        raise InvalidInput(_("that shift has already started"))
    if data.other_agent_id == agent_id:
        raise InvalidInput(_("choose a colleague, not yourself"))
    other = accounts.get_agent(session, data.other_agent_id)
    if not other.is_active:
        raise InvalidInput(_("that colleague is not active"))
    if data.other_shift_id is not None:
        theirs = rosters.get_shift(session, data.other_shift_id)
        if theirs.agent_id != other.id:
            raise InvalidInput(_("that shift is not the colleague's"))
    duplicate = session.scalar(
        select(SwapRequest.id).where(
            SwapRequest.shift_id == shift.id, SwapRequest.status == PENDING
        )
    )
    if duplicate is not None:
        raise Conflict(_("that shift is already offered"))
    swap = SwapRequest(
        agent_id=agent_id,
        shift_id=shift.id,
        other_agent_id=other.id,
        other_shift_id=data.other_shift_id,
        reason=data.reason.strip(),
    )
    session.add(swap)
    session.flush()
    return swap


def get_swap(session: Session, swap_id: int) -> SwapRequest:
    swap = session.get(SwapRequest, swap_id)
    if swap is None:
        raise NotFound(_("no such swap request"))
    return swap


def _free(session: Session, agent_id: int, shift: Shift, skip: set[int]) -> None:
    for other in rosters.shifts_overlapping(session, agent_id, shift.start_at, shift.end_at):
        if other.id not in skip:
            raise Conflict(_("the swap would give someone two shifts at once"))


def _can_serve(session: Session, agent_id: int, shift: Shift) -> None:
    profile = setup.work_profile(session, agent_id)
    if profile and profile.queue_ids and shift.queue_id not in profile.queue_ids:
        raise Conflict(_("the colleague does not serve that shift's queue"))


def decide_swap(session: Session, *, actor: Actor, swap_id: int, data: DecisionIn) -> SwapRequest:
    """Approving exchanges the shifts' agents (checked: no double shifts, queues served)."""
    require(actor, setup.MANAGE)
    swap = get_swap(session, swap_id)
    if swap.status != PENDING:
        raise Conflict(_("this request has already been decided"))
    if data.approve:
        mine = rosters.get_shift(session, swap.shift_id)
        theirs = rosters.get_shift(session, swap.other_shift_id) if swap.other_shift_id else None
        if mine.agent_id != swap.agent_id or (theirs and theirs.agent_id != swap.other_agent_id):
            raise Conflict(_("the shifts have changed hands since; deny and ask again"))
        skip = {mine.id} | ({theirs.id} if theirs else set())
        _free(session, swap.other_agent_id, mine, skip)
        _can_serve(session, swap.other_agent_id, mine)
        if theirs is not None:
            _free(session, swap.agent_id, theirs, skip)
            _can_serve(session, swap.agent_id, theirs)
            theirs.agent_id, theirs.is_manual = swap.agent_id, True
        mine.agent_id, mine.is_manual = swap.other_agent_id, True
    swap.status = (RequestStatus.APPROVED if data.approve else RequestStatus.DENIED).value
    swap.decided_by_id = actor.agent_id
    swap.decided_at = utcnow()
    swap.note = data.note.strip()
    session.flush()
    return swap


def swap_requests(
    session: Session, *, agent_id: int | None = None, pending_only: bool = False
) -> list[SwapRequest]:
    statement = select(SwapRequest).order_by(SwapRequest.created_at.desc())
    if agent_id is not None:
        statement = statement.where(
            (SwapRequest.agent_id == agent_id) | (SwapRequest.other_agent_id == agent_id)
        )
    if pending_only:
        statement = statement.where(SwapRequest.status == PENDING)
    return list(session.scalars(statement))
