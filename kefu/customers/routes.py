"""Customers JSON API under /api/v1: find, create, change, identities, merge."""

from typing import Annotated

from fastapi import Query, Response, status

from kefu.api.params import Cursor, CustomerId, IdentityId, Limit, id_cursor, next_id_cursor
from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.customers import queries, service
from kefu.customers.schemas import (
    CustomerCreate,
    CustomerMerge,
    CustomerPage,
    CustomerRead,
    CustomerUpdate,
    IdentityIn,
    IdentityRead,
)
from kefu.web.deps import ApiActor, DbSession

router = api_router("customers")


@router.get("/customers", response_model=CustomerPage)
def list_customers(
    session: DbSession,
    actor: ApiActor,
    email: Annotated[str | None, Query(max_length=320, description="exactly this address")] = None,
    phone: Annotated[str | None, Query(max_length=40, description="exactly this number")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="part of a name, address or number")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> CustomerPage:
    """Customers newest first, narrowed by any of e-mail, phone and `q`."""
    page = queries.search_customers(
        session,
        actor=actor,
        email=email,
        phone=phone,
        text=q,
        before_id=id_cursor(cursor),
        limit=limit,
    )
    return CustomerPage(
        items=queries.customer_reads(session, list(page.items)),
        next_cursor=next_id_cursor(page.next_cursor),
    )


@router.post(
    "/customers",
    response_model=CustomerRead,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT,
)
def create_customer(data: CustomerCreate, session: DbSession, actor: ApiActor) -> CustomerRead:
    """A new customer; an address or number that already belongs to someone is a 409."""
    customer = service.create_customer(session, actor=actor, data=data)
    return queries.customer_reads(session, [customer])[0]


@router.get("/customers/{customer_id}", response_model=CustomerRead, responses=NOT_FOUND)
def get_customer(customer_id: CustomerId, session: DbSession, actor: ApiActor) -> CustomerRead:
    """A customer with every identity (addresses, numbers, chat and store ids)."""
    customer = service.read_customer(session, actor=actor, customer_id=customer_id)
    return queries.customer_reads(session, [customer])[0]


@router.patch("/customers/{customer_id}", response_model=CustomerRead, responses=NOT_FOUND)
def update_customer(
    customer_id: CustomerId, data: CustomerUpdate, session: DbSession, actor: ApiActor
) -> CustomerRead:
    customer = service.update_customer(session, actor=actor, customer_id=customer_id, data=data)
    return queries.customer_reads(session, [customer])[0]


@router.post(
    "/customers/{customer_id}/identities",
    response_model=IdentityRead,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
)
def add_customer_identity(
    customer_id: CustomerId, data: IdentityIn, session: DbSession, actor: ApiActor
) -> IdentityRead:
    """Add an address or number; one that belongs to another customer is a 409 (merge them)."""
    identity = service.add_identity(session, actor=actor, customer_id=customer_id, data=data)
    return IdentityRead.model_validate(identity)


@router.delete(
    "/customers/{customer_id}/identities/{identity_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
)
def remove_customer_identity(
    customer_id: CustomerId, identity_id: IdentityId, session: DbSession, actor: ApiActor
) -> Response:
    service.remove_identity(session, actor=actor, customer_id=customer_id, identity_id=identity_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/customers/{customer_id}/merge",
    response_model=CustomerRead,
    responses={**NOT_FOUND, **CONFLICT},
)
def merge_customers(
    customer_id: CustomerId, data: CustomerMerge, session: DbSession, actor: ApiActor
) -> CustomerRead:
    """Fold customer `source_id` into this one: identities, tags, notes and tickets move here."""
    customer = service.merge_customers(
        session, actor=actor, source_id=data.source_id, target_id=customer_id
    )
    return queries.customer_reads(session, [customer])[0]
