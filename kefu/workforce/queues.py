"""Workforce queues: the contact streams a forecast and a roster are planned for."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.errors import Conflict, NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.workforce.models import WorkforceQueue
from kefu.workforce.schemas import QueueIn


def list_queues(session: Session, *, active_only: bool = False) -> list[WorkforceQueue]:
    """Every queue by name (only the active ones when asked)."""
    statement = select(WorkforceQueue).order_by(WorkforceQueue.name)
    if active_only:
        statement = statement.where(WorkforceQueue.is_active.is_(True))
    return list(session.scalars(statement))


def get_queue(session: Session, queue_id: int) -> WorkforceQueue:
    queue = session.get(WorkforceQueue, queue_id)
    if queue is None:
        raise NotFound(_("No such queue."))
    return queue


def queue_by_name(session: Session, name: str) -> WorkforceQueue:
    queue = session.scalar(select(WorkforceQueue).where(WorkforceQueue.name == name))
    if queue is None:
        raise NotFound(_("No queue is named %(name)s.", name=name))
    return queue


def _check_name(session: Session, name: str, *, queue_id: int | None = None) -> None:
    other = session.scalar(select(WorkforceQueue.id).where(WorkforceQueue.name == name))
    if other is not None and other != queue_id:
        raise Conflict(_("Another queue is already named %(name)s.", name=name))


def create_queue(session: Session, *, actor: Actor, data: QueueIn) -> WorkforceQueue:
    require(actor, "workforce.manage")
    _check_name(session, data.name)
    queue = WorkforceQueue(**data.model_dump())
    session.add(queue)
    session.flush()
    return queue


def update_queue(session: Session, *, actor: Actor, queue_id: int, data: QueueIn) -> WorkforceQueue:
    require(actor, "workforce.manage")
    queue = get_queue(session, queue_id)
    _check_name(session, data.name, queue_id=queue_id)
    for field, value in data.model_dump().items():
        setattr(queue, field, value)
    session.flush()
    return queue
