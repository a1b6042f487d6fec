"""Demo step: the store's phone line and the calls behind the demo's phone tickets — the
customer's call that opened each one, and a call back where the agent promised one — logged
through the phone channel's own service, at the moments the tickets began."""

import random
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.phone import lines
from kefu.channels.phone.logging_calls import log_call
from kefu.channels.phone.schemas import CallLog, PhoneLineCreate
from kefu.customers import service as customers
from kefu.db import Database
from kefu.demo import DEMO_ADMIN_EMAIL, DemoStep
from kefu.demo.inbox import TICKETS_PER_SCALE
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc, utcnow
from kefu.tickets.models import Ticket
from kefu.tickets.schemas import Status

LINE_NAME, LINE_NUMBER = "Lumen Outfitters hotline", "+44 20 7946 0321"
# What the agent wrote about the call (the ticket's own messages say what it is about).
NOTES_EN = (
    "Customer rang for an update on this ticket; read them the latest and confirmed the next step.",
    "Customer called to check we had their message; went through the details on the phone.",
    "Customer phoned to follow up; they are happy with what we proposed.",
)
NOTES_ZH = (
    "顾客来电询问此工单进度，已告知最新情况并确认下一步。",
    "顾客来电确认我们是否收到留言，已电话沟通细节。",
    "顾客来电跟进，对我们的处理方案表示满意。",
)
CALL_BACK = {
    "en": "Called the customer back as promised; all sorted.",
    "zh": "按约定回电顾客，问题已解决。",
}


def _caller(session: Session, customer_id: int | None, rng: random.Random) -> tuple[str, bool]:
    """(the customer's phone, whether they speak Chinese); a made-up UK mobile for a customer
    without one (their first call gives the store the number)."""
    if customer_id is None:
        return f"+44 7700 9{rng.randint(10000, 99999)}", False
    customer = customers.get_customer(session, customer_id)
    chinese = (customer.language or "").startswith("zh")
    own = customers.identities_of(session, [customer_id])[customer_id]
    phones = [i.value for i in own if i.kind == "phone"]
    return (phones[0] if phones else f"+44 7700 9{rng.randint(10000, 99999)}"), chinese


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    rng = random.Random(20261207)
    with database.unit_of_work(actor=Actor.system()) as session:
        admin = accounts.find_agent_by_email(session, DEMO_ADMIN_EMAIL)
        assert admin is not None, "the team step runs first"
        admin_actor = accounts.actor_for(admin)
        if lines.list_lines(session, actor=admin_actor):
            return 0
        line = PhoneLineCreate(
            name=LINE_NAME, number=LINE_NUMBER, auth_token=secrets.token_urlsafe(24)
        )  # the demo line has no provider account: nothing can call it with this token
        lines.create_line(session, actor=admin_actor, data=line)
        advance(1)
        rows = session.execute(
            select(Ticket.id, Ticket.assignee_id, Ticket.requester_id, Ticket.last_message_at)
            .where(Ticket.channel == "phone", Ticket.status != Status.CLOSED)
            .order_by(Ticket.id)
            .limit(TICKETS_PER_SCALE * scale)
        ).all()
    made = 1
    for ticket_id, assignee_id, requester_id, last_message_at in rows:
        with database.unit_of_work(actor=admin_actor) as session:
            agent = accounts.actor_for(accounts.get_agent(session, assignee_id or admin.id))
            number, chinese = _caller(session, requester_id, rng)
            # the customer calls after the written conversation, the agent calls back later;
            # both before now however recent the ticket is
            last = as_utc(last_message_at)
            now = utcnow()
            called = last + min((now - last) / 2, timedelta(hours=rng.uniform(1, 6)))
            notes = rng.choice(NOTES_ZH if chinese else NOTES_EN)
            first = "resolved" if rng.random() < 0.6 else "follow_up"
            calls = [("inbound", first, called, notes)]
            if first == "follow_up":
                back = called + min((now - called) / 2, timedelta(hours=rng.uniform(1, 20)))
                calls.append(("outbound", "resolved", back, CALL_BACK["zh" if chinese else "en"]))
            for direction, disposition, moment, said in calls:
                call = log_call(
                    session,
                    actor=agent,
                    ticket_id=ticket_id,
                    data=CallLog(
                        direction=direction,  # type: ignore[arg-type]
                        number=number,
                        disposition=disposition,  # type: ignore[arg-type]
                        notes=said,
                        duration_seconds=rng.randint(70, 420),
                        started_at=moment,
                    ),
                )
                session.execute(
                    update(Event)
                    .where(Event.subject_type == "call", Event.subject_id == str(call.id))
                    .values(created_at=moment)
                )
                made += 1
                advance(1)
    return made


# About one ticket in eight is a phone ticket (kefu.demo.inbox.CHANNELS), 1.5 calls each.
STEP = DemoStep(name="phone", run=run, size=lambda scale: TICKETS_PER_SCALE * scale // 5 + 1)
