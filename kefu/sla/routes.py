"""SLA JSON API under /api/v1/sla: policies and business-hours schedules (managers), and a
ticket's clocks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response, status
from pydantic import BaseModel

from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.kit.bounds import INT4_MAX, INT8_MAX
from kefu.permissions import require
from kefu.sla import business_hours, checks, panel, policies
from kefu.sla.schemas import PolicyIn, PolicyRead, ScheduleIn, ScheduleRead
from kefu.tickets import service as tickets
from kefu.web.deps import ApiActor, DbSession

router = api_router("sla")
MANAGE = "rules.manage"
PolicyId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the policy's id", examples=[1])]
ScheduleId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the schedule's id")]
TicketId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the ticket's number")]


class ClockRead(BaseModel):
    metric: str
    state: str  # running | soon | breached | paused | met | missed
    text: str
    due_at: str | None


@router.get("/sla/policies", response_model=list[PolicyRead])
def list_policies(session: DbSession, actor: ApiActor) -> list[PolicyRead]:
    """Every policy in the order they are tried (the first matching one applies)."""
    require(actor, MANAGE)
    return [policies.policy_read(p) for p in policies.list_policies(session)]


@router.post("/sla/policies", response_model=PolicyRead, status_code=status.HTTP_201_CREATED)
def create_policy(data: PolicyIn, session: DbSession, actor: ApiActor) -> PolicyRead:
    """A policy goes last unless `position` says otherwise. A policy without targets, with a
    target of zero or less minutes, or naming an unknown store is refused (422)."""
    return policies.policy_read(policies.create_policy(session, actor=actor, data=data))


@router.get("/sla/policies/{policy_id}", response_model=PolicyRead, responses=NOT_FOUND)
def get_policy(policy_id: PolicyId, session: DbSession, actor: ApiActor) -> PolicyRead:
    require(actor, MANAGE)
    return policies.policy_read(policies.get_policy(session, policy_id))


@router.put("/sla/policies/{policy_id}", response_model=PolicyRead, responses=NOT_FOUND)
def update_policy(
    policy_id: PolicyId, data: PolicyIn, session: DbSession, actor: ApiActor
) -> PolicyRead:
    """Replace the policy; tickets take the new targets on their next change."""
    policy = policies.update_policy(session, actor=actor, policy_id=policy_id, data=data)
    return policies.policy_read(policy)


@router.delete(
    "/sla/policies/{policy_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
def delete_policy(policy_id: PolicyId, session: DbSession, actor: ApiActor) -> Response:
    policies.delete_policy(session, actor=actor, policy_id=policy_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/sla/schedules", response_model=list[ScheduleRead])
def list_schedules(session: DbSession, actor: ApiActor) -> list[ScheduleRead]:
    require(actor, MANAGE)
    return [
        business_hours.schedule_read(session, s) for s in business_hours.list_schedules(session)
    ]


@router.post(
    "/sla/schedules",
    response_model=ScheduleRead,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT,
)
def create_schedule(data: ScheduleIn, session: DbSession, actor: ApiActor) -> ScheduleRead:
    """Weekly intervals in local time ("09:00"–"18:00", several a day, none crossing
    midnight), holidays ("12-25" every year, "2026-12-24" once), the teams and stores that
    work to it; `is_default` makes it the schedule of everything else (one default)."""
    schedule = business_hours.create_schedule(session, actor=actor, data=data)
    return business_hours.schedule_read(session, schedule)


@router.get("/sla/schedules/{schedule_id}", response_model=ScheduleRead, responses=NOT_FOUND)
def get_schedule(schedule_id: ScheduleId, session: DbSession, actor: ApiActor) -> ScheduleRead:
    require(actor, MANAGE)
    schedule = business_hours.get_schedule(session, schedule_id)
    return business_hours.schedule_read(session, schedule)


@router.put(
    "/sla/schedules/{schedule_id}",
    response_model=ScheduleRead,
    responses={**NOT_FOUND, **CONFLICT},
)
def update_schedule(
    schedule_id: ScheduleId, data: ScheduleIn, session: DbSession, actor: ApiActor
) -> ScheduleRead:
    schedule = business_hours.update_schedule(
        session, actor=actor, schedule_id=schedule_id, data=data
    )
    return business_hours.schedule_read(session, schedule)


@router.delete(
    "/sla/schedules/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
def delete_schedule(schedule_id: ScheduleId, session: DbSession, actor: ApiActor) -> Response:
    business_hours.delete_schedule(session, actor=actor, schedule_id=schedule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/tickets/{ticket_id}/sla", response_model=list[ClockRead], responses=NOT_FOUND)
def ticket_clocks(ticket_id: TicketId, session: DbSession, actor: ApiActor) -> list[ClockRead]:
    """The ticket's SLA clocks now: "First reply due in 23 minutes", breached, paused, met."""
    tickets.read_ticket(session, actor=actor, ticket_id=ticket_id)
    return [
        ClockRead(
            metric=s.metric,
            state=s.state,
            text=s.text,
            due_at=s.due_at.isoformat() if s.due_at else None,
        )
        for s in checks.clock_states(session, ticket_id=ticket_id, now=panel.now())
    ]
