"""Mailboxes JSON API under /api/v1 (admins): secrets go in, never come out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, status

from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.channels.email import diagnose, mailboxes
from kefu.channels.email.schemas import (
    CheckStep,
    ConnectionReport,
    MailboxCreate,
    MailboxRead,
    MailboxUpdate,
)
from kefu.kit.bounds import INT4_MAX
from kefu.permissions import require
from kefu.web.deps import ApiActor, DbSession

router = api_router("mailboxes")
MailboxId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the mailbox's id", examples=[1])]


@router.get("/mailboxes", response_model=list[MailboxRead])
def list_mailboxes(session: DbSession, actor: ApiActor) -> list[MailboxRead]:
    require(actor, "mailboxes.manage")
    return [MailboxRead.of(m) for m in mailboxes.list_mailboxes(session)]


@router.post(
    "/mailboxes",
    response_model=MailboxRead,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT,
)
def create_mailbox(data: MailboxCreate, session: DbSession, actor: ApiActor) -> MailboxRead:
    return MailboxRead.of(mailboxes.create_mailbox(session, actor=actor, data=data))


@router.get("/mailboxes/{mailbox_id}", response_model=MailboxRead, responses=NOT_FOUND)
def get_mailbox(mailbox_id: MailboxId, session: DbSession, actor: ApiActor) -> MailboxRead:
    require(actor, "mailboxes.manage")
    return MailboxRead.of(mailboxes.get_mailbox(session, mailbox_id))


@router.patch(
    "/mailboxes/{mailbox_id}", response_model=MailboxRead, responses={**NOT_FOUND, **CONFLICT}
)
def update_mailbox(
    mailbox_id: MailboxId, data: MailboxUpdate, session: DbSession, actor: ApiActor
) -> MailboxRead:
    mailbox = mailboxes.update_mailbox(session, actor=actor, mailbox_id=mailbox_id, data=data)
    return MailboxRead.of(mailbox)


@router.post("/mailboxes/{mailbox_id}/test", response_model=ConnectionReport, responses=NOT_FOUND)
def test_mailbox(mailbox_id: MailboxId, session: DbSession, actor: ApiActor) -> ConnectionReport:
    """Connects to the mailbox's IMAP and SMTP servers step by step (DNS, TCP, TLS, STARTTLS,
    OAuth token, sign-in, folder) and reports each step; stops at the first failure."""
    require(actor, "mailboxes.manage")
    result = diagnose.check_mailbox(session, mailboxes.get_mailbox(session, mailbox_id))
    return ConnectionReport(
        ok=result.ok,
        imap=[CheckStep(name=s.name, ok=s.ok, detail=s.detail) for s in result.imap],
        smtp=[CheckStep(name=s.name, ok=s.ok, detail=s.detail) for s in result.smtp],
    )
