"""Actions on orders, approvals and return states in the JSON API under /api/v1."""

import hashlib
from typing import Annotated, Any

from fastapi import Path, Request, Response, status
from pydantic import Field
from sqlalchemy.orm import Session

from kefu.api.routing import NOT_FOUND, api_router, problem_response
from kefu.commerce import orders
from kefu.commerce.action_schemas import (
    KEY_PATTERN,
    AddressRequest,
    CancelRequest,
    ChecksRead,
    ExchangeRequest,
    OrderActionRead,
    RefundRequest,
    ResendRequest,
    ReturnRequest,
    StoreCreditRequest,
)
from kefu.commerce.actions import (
    ActionRefused,
    approvals,
    new_key,
    parse_request,
    perform,
    preview,
)
from kefu.commerce.actions.reads import action_read, check_reads, checks_read
from kefu.commerce.connectors import ConnectorRejected, ConnectorUnavailable
from kefu.kit.bounds import INT8_MAX
from kefu.web.deps import ApiActor, DbSession
from kefu.web.errors import problem

router = api_router()
ORDERS = ["order actions"]
APPROVALS = ["approvals"]
OrderId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the order's id")]
ActionId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the order action's id")]
ReturnId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the return's id")]
ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    200: {"model": OrderActionRead, "description": "The same key acted before: its result"},
    202: {"model": OrderActionRead, "description": "Over a policy limit: waits for approval"},
    422: problem_response(
        "Bad input, or a policy check failed (`policy_violation`, with `checks`), or the "
        "store refused the action (`store_rejected`, its reason in `detail`); nothing was done"
    ),
    502: problem_response("The store could not be reached (`store_unavailable`); nothing done"),
}
KeyField = Field(
    default=None,
    pattern=KEY_PATTERN,
    description="one key per intended action (8-80 of A-Z a-z 0-9 _ . : -); the same key "
    "again answers with the first result instead of acting twice. Defaults to the "
    "Idempotency-Key header.",
)


class RefundBody(RefundRequest):
    idempotency_key: str | None = KeyField


class CancelBody(CancelRequest):
    idempotency_key: str | None = KeyField


class AddressBody(AddressRequest):
    idempotency_key: str | None = KeyField


class ReturnBody(ReturnRequest):
    idempotency_key: str | None = KeyField


class ExchangeBody(ExchangeRequest):
    idempotency_key: str | None = KeyField


class ResendBody(ResendRequest):
    idempotency_key: str | None = KeyField


class StoreCreditBody(StoreCreditRequest):
    idempotency_key: str | None = KeyField


def _key(body: Any, header: str | None, actor_ref: str) -> str:
    if body.idempotency_key:
        return str(body.idempotency_key)
    if header:
        # the header may be up to 255 characters; the column keeps a digest, per caller
        return "api:" + hashlib.sha256(f"{actor_ref}\n{header}".encode()).hexdigest()[:60]
    return new_key()


def _act(
    request: Request,
    session: Session,
    actor: Any,
    response: Response,
    *,
    order_id: int,
    kind: str,
    body: Any,
    header: str | None,
) -> Any:
    values = body.model_dump(exclude={"idempotency_key"}, exclude_unset=True)
    data = parse_request(kind, values)
    key = _key(body, header, actor.ref)
    try:
        outcome = perform(
            session,
            actor=actor,
            order_id=order_id,
            kind=kind,
            data=data,
            idempotency_key=key,
            now=request.app.state.runtime.clock(),
        )
    except ActionRefused as refused:
        return problem(
            refused.status,
            refused.code,
            refused.message,
            checks=[c.model_dump() for c in check_reads(refused.checks)],
        )
    except (ConnectorRejected, ConnectorUnavailable) as exc:
        # answered, not raised: the failed attempt is kept (it commits), nothing else was
        return problem(exc.status, exc.code, exc.message)
    read = action_read(outcome.action, replayed=outcome.replayed)
    if outcome.replayed:
        response.status_code = status.HTTP_200_OK
    elif outcome.action.status == "pending_approval":
        response.status_code = status.HTTP_202_ACCEPTED
    return read


@router.post(
    "/orders/{order_id}/refunds",
    response_model=OrderActionRead,
    status_code=201,
    responses=ACTION_RESPONSES,
    tags=ORDERS,
)
def refund_order(
    request: Request,
    response: Response,
    session: DbSession,
    actor: ApiActor,
    order_id: OrderId,
    body: RefundBody,
) -> Any:
    """Refund items (by quantity), shipping and/or a custom amount."""
    return _act(
        request,
        session,
        actor,
        response,
        order_id=order_id,
        kind="refund",
        body=body,
        header=request.headers.get("idempotency-key"),
    )


@router.post(
    "/orders/{order_id}/cancel",
    response_model=OrderActionRead,
    status_code=201,
    responses=ACTION_RESPONSES,
    tags=ORDERS,
)
def cancel_order(
    request: Request,
    response: Response,
    session: DbSession,
    actor: ApiActor,
    order_id: OrderId,
    body: CancelBody,
) -> Any:
    """Cancel an order that has not shipped: what was paid is refunded, items restocked."""
    return _act(
        request,
        session,
        actor,
        response,
        order_id=order_id,
        kind="cancel",
        body=body,
        header=request.headers.get("idempotency-key"),
    )


@router.post(
    "/orders/{order_id}/shipping-address",
    response_model=OrderActionRead,
    status_code=201,
    responses=ACTION_RESPONSES,
    tags=ORDERS,
)
def change_shipping_address(
    request: Request,
    response: Response,
    session: DbSession,
    actor: ApiActor,
    order_id: OrderId,
    body: AddressBody,
) -> Any:
    """Change the shipping address before the order ships."""
    return _act(
        request,
        session,
        actor,
        response,
        order_id=order_id,
        kind="edit_address",
        body=body,
        header=request.headers.get("idempotency-key"),
    )


@router.post(
    "/orders/{order_id}/returns",
    response_model=OrderActionRead,
    status_code=201,
    responses=ACTION_RESPONSES,
    tags=ORDERS,
)
def create_return(
    request: Request,
    response: Response,
    session: DbSession,
    actor: ApiActor,
    order_id: OrderId,
    body: ReturnBody,
) -> Any:
    """Create a return (RMA) with a reason code, items, photos and instructions."""
    return _act(
        request,
        session,
        actor,
        response,
        order_id=order_id,
        kind="return",
        body=body,
        header=request.headers.get("idempotency-key"),
    )


@router.post(
    "/orders/{order_id}/exchanges",
    response_model=OrderActionRead,
    status_code=201,
    responses=ACTION_RESPONSES,
    tags=ORDERS,
)
def exchange_items(
    request: Request,
    response: Response,
    session: DbSession,
    actor: ApiActor,
    order_id: OrderId,
    body: ExchangeBody,
) -> Any:
    """Exchange items for others; the price difference is charged or refunded."""
    return _act(
        request,
        session,
        actor,
        response,
        order_id=order_id,
        kind="exchange",
        body=body,
        header=request.headers.get("idempotency-key"),
    )


@router.post(
    "/orders/{order_id}/resends",
    response_model=OrderActionRead,
    status_code=201,
    responses=ACTION_RESPONSES,
    tags=ORDERS,
)
def resend_items(
    request: Request,
    response: Response,
    session: DbSession,
    actor: ApiActor,
    order_id: OrderId,
    body: ResendBody,
) -> Any:
    """Send items again free of charge (a replacement order)."""
    return _act(
        request,
        session,
        actor,
        response,
        order_id=order_id,
        kind="resend",
        body=body,
        header=request.headers.get("idempotency-key"),
    )


@router.post(
    "/orders/{order_id}/store-credits",
    response_model=OrderActionRead,
    status_code=201,
    responses=ACTION_RESPONSES,
    tags=ORDERS,
)
def give_store_credit(
    request: Request,
    response: Response,
    session: DbSession,
    actor: ApiActor,
    order_id: OrderId,
    body: StoreCreditBody,
) -> Any:
    """Give the order's customer store credit."""
    return _act(
        request,
        session,
        actor,
        response,
        order_id=order_id,
        kind="store_credit",
        body=body,
        header=request.headers.get("idempotency-key"),
    )


@router.post(
    "/orders/{order_id}/checks/{kind}", response_model=ChecksRead, responses=NOT_FOUND, tags=ORDERS
)
def check_action(
    request: Request,
    session: DbSession,
    actor: ApiActor,
    order_id: OrderId,
    kind: Annotated[str, Path(pattern=r"^[a-z_]{1,20}$")],
    body: dict[str, Any],
) -> ChecksRead:
    """The policy checks an action would meet, without doing it (what the forms show live)."""
    data = parse_request(kind, body)
    order = orders.get_order(session, order_id)
    evaluation = preview(
        session,
        actor=actor,
        order_id=order_id,
        kind=kind,
        data=data,
        now=request.app.state.runtime.clock(),
    )
    return checks_read(evaluation, order.currency)


@router.get(
    "/orders/{order_id}/actions",
    response_model=list[OrderActionRead],
    responses=NOT_FOUND,
    tags=ORDERS,
)
def list_order_actions(
    session: DbSession, actor: ApiActor, order_id: OrderId
) -> list[OrderActionRead]:
    """The order's actions, newest first (done, waiting, denied, failed)."""
    from kefu.permissions import require

    require(actor, "orders.act")
    orders.get_order(session, order_id)
    return [action_read(a) for a in approvals.actions_of_order(session, order_id)]
