"""Orders JSON API under /api/v1: find orders, read one, attach tickets to them."""

from typing import Annotated

from fastapi import Path, Query, Response, status

from kefu.api.params import Cursor, Limit, TicketId, id_cursor, next_id_cursor
from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.commerce import links, queries
from kefu.commerce.schemas import OrderPage, OrderRead, TicketOrderLink
from kefu.kit.bounds import INT4_MAX, INT8_MAX
from kefu.web.deps import ApiActor, DbSession

router = api_router("orders")
OrderId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the order's id", examples=[1])]


@router.get("/orders", response_model=OrderPage)
def list_orders(
    session: DbSession,
    actor: ApiActor,
    customer_id: Annotated[int | None, Query(ge=1, le=INT4_MAX)] = None,
    number: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    store_id: Annotated[int | None, Query(ge=1, le=INT4_MAX)] = None,
    ticket_id: Annotated[int | None, Query(ge=1, le=INT8_MAX)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> OrderPage:
    """Orders newest first, narrowed by customer, number ("#1001" or "1001"), store or ticket."""
    page = queries.search_orders(
        session,
        actor=actor,
        customer_id=customer_id,
        number=number,
        store_id=store_id,
        ticket_id=ticket_id,
        before_id=id_cursor(cursor),
        limit=limit,
    )
    return OrderPage(
        items=queries.order_reads(session, list(page.items)),
        next_cursor=next_id_cursor(page.next_cursor),
    )


@router.get("/orders/{order_id}", response_model=OrderRead, responses=NOT_FOUND)
def get_order(session: DbSession, actor: ApiActor, order_id: OrderId) -> OrderRead:
    """One order with its lines, shipments, tracking scans and the tickets about it."""
    return queries.read_order(session, actor=actor, order_id=order_id)


@router.post(
    "/tickets/{ticket_id}/orders",
    response_model=OrderRead,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
)
def attach_order(
    data: TicketOrderLink, session: DbSession, actor: ApiActor, ticket_id: TicketId
) -> OrderRead:
    """Attach the ticket to an order, by `order_id` or by `number`; attaching twice is fine.
    A closed or merged ticket is a 409."""
    order = links.attach_order(
        session, actor=actor, ticket_id=ticket_id, order_id=data.order_id, number=data.number
    )
    return queries.order_reads(session, [order])[0]


@router.delete(
    "/tickets/{ticket_id}/orders/{order_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**NOT_FOUND, **CONFLICT},
)
def detach_order(
    session: DbSession, actor: ApiActor, ticket_id: TicketId, order_id: OrderId
) -> Response:
    """The ticket is no longer about that order."""
    links.detach_order(session, actor=actor, ticket_id=ticket_id, order_id=order_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
