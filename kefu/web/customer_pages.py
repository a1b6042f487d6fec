"""The customer page: profile, identities, their tickets, merge. It lives in web/ because it
composes two domains (customers must not import tickets)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.config import LANGUAGES
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerUpdate, IdentityIn
from kefu.errors import InvalidInput, KefuError
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets import inbox
from kefu.tickets.details import customer_tickets
from kefu.tickets.page_context import labels, message_error, rights
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render

router = APIRouter()


def _context(
    session: Session, actor: Actor, customer_id: int, before_id: int | None = None
) -> dict[str, Any]:
    customer = customers.read_customer(session, actor=actor, customer_id=customer_id)
    tickets = customer_tickets(
        session, actor=actor, customer_id=customer.id, before_id=before_id, limit=25
    )
    return {
        "customer": customer,
        "identities": customers.identities_of(session, [customer.id])[customer.id],
        "page": inbox.InboxPage(
            key="customer",
            title=customer.name,
            rows=inbox.rows_for(session, [t.id for t in tickets.items]),
            next_cursor=str(tickets.next_cursor) if tickets.next_cursor else None,
        ),
        "languages": LANGUAGES,
        "can_edit": can(actor, "customers.update"),
        **labels(),
        **rights(actor),
    }


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    customer_id: int,
    cursor: int | None = None,
) -> Response:
    context = _context(session, actor, customer_id, cursor)
    context["more_url"] = f"/customers/{customer_id}"
    is_more = cursor is not None and request.headers.get("hx-request") == "true"
    return render(request, "tickets/_rows.html" if is_more else "customers/customer.html", context)


def _back(customer_id: int) -> str:
    return f"/customers/{customer_id}"


@router.post("/customers/{customer_id}", dependencies=[CsrfProtected])
def save_profile(
    session: DbSession, actor: PageActor, customer_id: int, form: forms.Form
) -> Response:
    try:
        data = CustomerUpdate(
            name=forms.text(form, "name"),
            language=forms.text(form, "language") or None,
            time_zone=forms.text(form, "time_zone") or None,
            tags=forms.csv_list(forms.text(form, "tags")),
            notes=forms.text(form, "notes"),
            is_vip=forms.text(form, "is_vip") == "true",
        )
        with session.begin_nested():
            customers.update_customer(session, actor=actor, customer_id=customer_id, data=data)
    except (ValidationError, KefuError) as exc:
        return redirect(_back(customer_id), message_error(exc), "error")
    return redirect(_back(customer_id), _("Profile saved."))


@router.post("/customers/{customer_id}/identities", dependencies=[CsrfProtected])
def add_identity(
    session: DbSession, actor: PageActor, customer_id: int, form: forms.Form
) -> Response:
    try:
        data = IdentityIn(kind=forms.text(form, "kind"), value=forms.text(form, "value"))  # type: ignore[arg-type]
        with session.begin_nested():
            customers.add_identity(session, actor=actor, customer_id=customer_id, data=data)
    except (ValidationError, KefuError) as exc:
        return redirect(_back(customer_id), message_error(exc), "error")
    return redirect(_back(customer_id), _("Added."))


@router.post(
    "/customers/{customer_id}/identities/{identity_id}/remove", dependencies=[CsrfProtected]
)
def remove_identity(
    session: DbSession, actor: PageActor, customer_id: int, identity_id: int
) -> Response:
    try:
        with session.begin_nested():
            customers.remove_identity(
                session, actor=actor, customer_id=customer_id, identity_id=identity_id
            )
    except KefuError as exc:
        return redirect(_back(customer_id), exc.message, "error")
    return redirect(_back(customer_id), _("Removed."))


def _other_customer(session: Session, raw: str) -> int:
    """The customer to merge in: "#12", "12" or one of their email addresses or phones."""
    value = raw.strip().lstrip("#")
    if value.isdigit():
        return int(value)
    for kind in ("email", "phone"):
        try:
            found = customers.find_by_identity(session, kind, value)
        except KefuError:
            continue
        if found is not None:
            return found.id
    raise InvalidInput(_("No customer found for %(value)s.", value=raw))


@router.post("/customers/{customer_id}/merge", dependencies=[CsrfProtected])
def merge(session: DbSession, actor: PageActor, customer_id: int, form: forms.Form) -> Response:
    """Merge another customer into this one: their identities and tickets come here."""
    try:
        with session.begin_nested():
            source = _other_customer(session, forms.text(form, "other"))
            customers.merge_customers(session, actor=actor, source_id=source, target_id=customer_id)
    except KefuError as exc:
        return redirect(_back(customer_id), exc.message, "error")
    return redirect(
        _back(customer_id), _("Customer #%(number)s was merged into this one.", number=source)
    )
