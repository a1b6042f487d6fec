"""The accounts domain's read side for other domains: agent names for a page of rows."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts.models import Agent


def agent_names(session: Session, agent_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {agent_id for agent_id in agent_ids if agent_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids))).all())
