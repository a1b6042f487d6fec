"""Rules JSON API under /api/v1/rules (managers): the same definitions the editor saves,
checked the same way; a refusal is a 422 problem with the reason, and nothing is saved."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from kefu.api.routing import NOT_FOUND, api_router
from kefu.automation.rules import service
from kefu.automation.rules.service import RuleIn
from kefu.kit.bounds import INT4_MAX, RowId
from kefu.permissions import require
from kefu.web.deps import ApiActor, DbSession

router = api_router("rules")
RuleId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the rule's id", examples=[1])]


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    name: str
    description: str
    is_active: bool
    position: int
    events: list[str]
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class RuleTest(BaseModel):
    """Test a definition (saved or not) against a ticket: nothing is changed."""

    model_config = ConfigDict(extra="forbid")

    ticket_id: RowId
    event_type: str | None = Field(default=None, max_length=50, examples=["message.added"])
    rule: RuleIn | None = Field(default=None, description="a definition; default the saved one")


class ConditionOutcome(BaseModel):
    holds: bool
    text: str


class RuleTestResult(BaseModel):
    ticket_id: int
    would_fire: bool
    explanation: str = Field(examples=["yes, because Priority is urgent and Customer is VIP yes"])
    conditions: list[ConditionOutcome]
    actions: list[str]


@router.get("/rules", response_model=list[RuleRead])
def list_rules(
    session: DbSession, actor: ApiActor, kind: Literal["trigger", "automation"] = "trigger"
) -> list[Any]:
    """Triggers (in the order they run) or automations."""
    require(actor, "rules.manage")
    return service.list_rules(session, kind=kind)


@router.post("/rules", response_model=RuleRead, status_code=status.HTTP_201_CREATED)
def create_rule(data: RuleIn, session: DbSession, actor: ApiActor) -> Any:
    """A trigger or automation, last in its list; refused whole with the first reason
    (unknown field or operator, wrong value, malformed pattern, template error, unknown
    team, agent, macro or webhook)."""
    return service.create_rule(session, actor=actor, data=data)


@router.get("/rules/{rule_id}", response_model=RuleRead, responses=NOT_FOUND)
def get_rule(rule_id: RuleId, session: DbSession, actor: ApiActor) -> Any:
    require(actor, "rules.manage")
    return service.get_rule(session, rule_id)


@router.put("/rules/{rule_id}", response_model=RuleRead, responses=NOT_FOUND)
def replace_rule(rule_id: RuleId, data: RuleIn, session: DbSession, actor: ApiActor) -> Any:
    return service.update_rule(session, actor=actor, rule_id=rule_id, data=data)


@router.delete("/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_rule(rule_id: RuleId, session: DbSession, actor: ApiActor) -> Response:
    service.delete_rule(session, actor=actor, rule_id=rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/rules/{rule_id}/test", response_model=RuleTestResult, responses=NOT_FOUND)
def test_saved_rule(
    rule_id: RuleId, data: RuleTest, session: DbSession, actor: ApiActor
) -> RuleTestResult:
    """Would the rule (the one sent in `rule`, else the saved one) fire on the ticket now,
    why, and what would it do."""
    require(actor, "rules.manage")
    definition = data.rule or service.as_input(service.get_rule(session, rule_id))
    result = service.try_rule(
        session, actor=actor, data=definition, ticket_id=data.ticket_id, event_type=data.event_type
    )
    return RuleTestResult(
        ticket_id=result.ticket_id,
        would_fire=result.verdict.fires,
        explanation=result.verdict.explanation,
        conditions=[ConditionOutcome(holds=o.holds, text=o.text) for o in result.verdict.outcomes],
        actions=result.actions,
    )
