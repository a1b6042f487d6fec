"""Chat's cross-domain hooks: a customer merge carries the chat visitors along."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from kefu.channels.chat.models import ChatVisitor
from kefu.customers.service import on_customer_merge


@on_customer_merge
def move_visitors(session: Session, source_id: int, target_id: int) -> None:
    session.execute(
        update(ChatVisitor)
        .where(ChatVisitor.customer_id == source_id)
        .values(customer_id=target_id)
    )


from kefu.channels.chat import agent_hooks  # noqa: E402, F401  (the agent pages: panel, composer, stream)
