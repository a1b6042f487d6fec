"""The workforce queues a roster covers, read through the workforce domain's service."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from kefu.workforce import queues as workforce_queues


def all_queues(session: Session) -> list[Any]:
    return list(workforce_queues.list_queues(session))


def queues_by_id(session: Session, ids: Iterable[int]) -> dict[int, Any]:
    wanted = set(ids)
    return {q.id: q for q in workforce_queues.list_queues(session) if q.id in wanted}
