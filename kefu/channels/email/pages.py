"""Mailbox administration pages: the list, the new/edit form and the HTMX connection test."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.channels.email import diagnose, failures, mailboxes
from kefu.channels.email.models import Mailbox
from kefu.channels.email.schemas import SECRET_FIELDS, MailboxCreate, MailboxRead, MailboxUpdate
from kefu.errors import KefuError, refusal_message
from kefu.kit import i18n
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, text
from kefu.web.templating import language_for, render

router = APIRouter()

TEXT_FIELDS = (
    "name",
    "address",
    "from_name",
    "brand",
    "auth_kind",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_folder",
    "imap_archive_folder",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "oauth_token_url",
    "oauth_client_id",
    "oauth_scope",
)
NEW_MAILBOX = {
    "auth_kind": "password",
    "imap_port": 993,
    "imap_security": "ssl",
    "imap_folder": "INBOX",
    "smtp_port": 587,
    "smtp_security": "starttls",
    "is_active": True,
}


def _message(exc: ValidationError | KefuError) -> str:
    return refusal_message(exc)


def _submitted(form: Any) -> dict[str, Any]:
    """The form's values as the schemas take them: empty ports left out, secrets as typed."""
    values: dict[str, Any] = {name: text(form, name) for name in TEXT_FIELDS}
    for port in ("imap_port", "smtp_port"):
        if not values[port]:
            del values[port]
    for secret in SECRET_FIELDS:
        values[secret] = text(form, secret) or None
    return values


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """What the form shows again after a refusal: never a secret."""
    return {k: v for k, v in values.items() if k not in SECRET_FIELDS}


def _form_page(
    request: Request,
    *,
    form: dict[str, Any],
    mailbox: MailboxRead | None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {"form": form, "mailbox": mailbox, "error": error}
    return render(request, "email/mailbox_form.html", context, status=status)


@router.get("/admin/mailboxes", response_class=HTMLResponse)
def mailboxes_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "mailboxes.manage")
    rows = [MailboxRead.of(m) for m in mailboxes.list_mailboxes(session)]
    context = {
        "mailboxes": rows,
        "failures": failures.open_failures(session, actor=actor),
        "names": {m.id: m.name for m in rows},
    }
    return render(request, "email/mailboxes.html", context)


@router.get("/admin/mailboxes/new", response_class=HTMLResponse)
def new_mailbox_page(request: Request, actor: PageActor) -> Response:
    require(actor, "mailboxes.manage")
    return _form_page(request, form=dict(NEW_MAILBOX), mailbox=None)


@router.post("/admin/mailboxes", dependencies=[CsrfProtected])
def create_mailbox(request: Request, session: DbSession, actor: PageActor, form: Form) -> Response:
    require(actor, "mailboxes.manage")
    values = _submitted(form)
    try:
        data = MailboxCreate.model_validate(values)
        with session.begin_nested():
            created = mailboxes.create_mailbox(session, actor=actor, data=data)
    except (ValidationError, KefuError) as exc:
        return _form_page(
            request, form=_shown(values), mailbox=None, error=_message(exc), status=422
        )
    return flash.redirect(f"/admin/mailboxes/{created.id}", _("Mailbox saved."))


def _edit_context(session: Session, mailbox_id: int) -> tuple[Mailbox, MailboxRead]:
    mailbox = mailboxes.get_mailbox(session, mailbox_id)
    return mailbox, MailboxRead.of(mailbox)


@router.get("/admin/mailboxes/{mailbox_id}", response_class=HTMLResponse)
def edit_mailbox_page(
    request: Request, session: DbSession, actor: PageActor, mailbox_id: int
) -> Response:
    require(actor, "mailboxes.manage")
    _mailbox, shown = _edit_context(session, mailbox_id)
    return _form_page(request, form=shown.model_dump(), mailbox=shown)


@router.post("/admin/mailboxes/{mailbox_id}", dependencies=[CsrfProtected])
def update_mailbox(
    request: Request, session: DbSession, actor: PageActor, mailbox_id: int, form: Form
) -> Response:
    require(actor, "mailboxes.manage")
    values = _submitted(form)
    values["is_active"] = text(form, "is_active") == "1"
    try:
        data = MailboxUpdate.model_validate(values)
        with session.begin_nested():
            mailboxes.update_mailbox(session, actor=actor, mailbox_id=mailbox_id, data=data)
    except (ValidationError, KefuError) as exc:
        _mailbox, shown = _edit_context(session, mailbox_id)
        return _form_page(
            request, form=_shown(values), mailbox=shown, error=_message(exc), status=422
        )
    return flash.redirect(f"/admin/mailboxes/{mailbox_id}", _("Mailbox saved."))


@router.post(
    "/admin/mailboxes/{mailbox_id}/test",
    response_class=HTMLResponse,
    dependencies=[CsrfProtected],
)
def test_mailbox(
    request: Request, session: DbSession, actor: PageActor, mailbox_id: int
) -> Response:
    require(actor, "mailboxes.manage")
    mailbox = mailboxes.get_mailbox(session, mailbox_id)
    i18n.current_language.set(language_for(request))  # the steps are worded as they run
    result = diagnose.check_mailbox(session, mailbox)
    return render(request, "email/_diagnosis.html", {"diagnosis": result})
