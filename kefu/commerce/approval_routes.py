"""Approvals, return states and policies in the JSON API under /api/v1."""

from typing import Annotated, Any

from fastapi import Path, Request, Response
from fastapi.responses import JSONResponse

from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.commerce import policies, stores
from kefu.commerce.action_routes import ACTION_RESPONSES, ActionId
from kefu.commerce.action_schemas import DenyIn, OrderActionRead, ReturnTransitionIn
from kefu.commerce.actions import approvals, return_states
from kefu.commerce.actions.reads import action_read
from kefu.commerce.connectors import ConnectorRejected, ConnectorUnavailable
from kefu.kit.bounds import INT8_MAX
from kefu.permissions import require
from kefu.web.deps import ApiActor, DbSession
from kefu.web.errors import problem

router = api_router()
APPROVALS = ["approvals"]
ORDERS = ["order actions"]
ReturnId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the return's id")]


@router.get("/approvals", response_model=list[OrderActionRead], tags=APPROVALS)
def list_approvals(session: DbSession, actor: ApiActor) -> list[OrderActionRead]:
    """Actions waiting for a manager, oldest first."""
    return [action_read(row.action) for row in approvals.list_pending(session, actor=actor)]


@router.post(
    "/approvals/{action_id}/approve",
    response_model=OrderActionRead,
    responses={**NOT_FOUND, **CONFLICT, **ACTION_RESPONSES},
    tags=APPROVALS,
)
def approve_action(
    request: Request, session: DbSession, actor: ApiActor, action_id: ActionId
) -> Any:
    """Approve a waiting action: it is done and pushed to the store now. If the store
    refuses, the request stays pending with the store's reason (`error`)."""
    try:
        action = approvals.approve(
            session, actor=actor, action_id=action_id, now=request.app.state.runtime.clock()
        )
    except (ConnectorRejected, ConnectorUnavailable) as exc:
        return problem(exc.status, exc.code, exc.message)
    return action_read(action)


@router.post(
    "/approvals/{action_id}/deny",
    response_model=OrderActionRead,
    responses={**NOT_FOUND, **CONFLICT},
    tags=APPROVALS,
)
def deny_action(
    request: Request, session: DbSession, actor: ApiActor, action_id: ActionId, body: DenyIn
) -> OrderActionRead:
    """Deny a waiting action with a reason the requesting agent reads on the ticket."""
    action = approvals.deny(
        session,
        actor=actor,
        action_id=action_id,
        reason=body.reason,
        now=request.app.state.runtime.clock(),
    )
    return action_read(action)


@router.post(
    "/returns/{return_id}/transitions",
    responses={**NOT_FOUND, **CONFLICT, **ACTION_RESPONSES},
    tags=ORDERS,
)
def move_return(
    request: Request,
    session: DbSession,
    actor: ApiActor,
    return_id: ReturnId,
    body: ReturnTransitionIn,
) -> Any:
    """Move a return on: approved → in_transit → received → refunded | exchanged, or rejected
    (with a reason). Refunding pushes the refund to the store."""
    try:
        returned = return_states.transition_return(
            session,
            actor=actor,
            return_id=return_id,
            state=body.state,
            reason=body.reason,
            now=request.app.state.runtime.clock(),
        )
    except (ConnectorRejected, ConnectorUnavailable) as exc:
        return problem(exc.status, exc.code, exc.message)
    return JSONResponse(
        {
            "id": returned.id,
            "rma": returned.rma,
            "state": returned.state,
            "refund_minor": returned.refund_minor,
            "next_states": return_states.next_states(returned),
        }
    )


StoreId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the store's id")]
POLICIES = ["policies"]


@router.get(
    "/stores/{store_id}/policies",
    response_model=list[policies.PolicyRead],
    responses=NOT_FOUND,
    tags=POLICIES,
)
def list_store_policies(
    session: DbSession, actor: ApiActor, store_id: StoreId
) -> list[policies.PolicyRead]:
    """The store's written policies, by category ("" is the default)."""
    require(actor, "orders.act")
    stores.get_store(session, store_id)
    return [
        policies.PolicyRead.model_validate(p) for p in policies.list_policies(session, store_id)
    ]


@router.put(
    "/stores/{store_id}/policies",
    response_model=policies.PolicyRead,
    responses=NOT_FOUND,
    tags=POLICIES,
)
def save_store_policy(
    session: DbSession, actor: ApiActor, store_id: StoreId, body: policies.PolicyIn
) -> policies.PolicyRead:
    """Create or replace the policy of one category (managers: `orders.approve` or
    `rules.manage`)."""
    policies.require_policy_editor(actor)
    stores.get_store(session, store_id)
    saved = policies.save_policy(session, actor=actor, store_id=store_id, data=body)
    return policies.PolicyRead.model_validate(saved)


@router.delete(
    "/stores/{store_id}/policies/{policy_id}",
    status_code=204,
    responses=NOT_FOUND,
    tags=POLICIES,
)
def delete_store_policy(
    session: DbSession,
    actor: ApiActor,
    store_id: StoreId,
    policy_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    """Remove a category's policy (its items then follow the store default)."""
    policies.delete_policy(session, actor=actor, store_id=store_id, policy_id=policy_id)
    return Response(status_code=204)
