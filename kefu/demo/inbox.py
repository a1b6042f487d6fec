"""Demo step: a lived-in shared inbox — customers in English and Chinese, tickets in every
status, agents' replies and notes with @mentions — made through the services (ingest for
customers' messages, add_message for agents'); the clock is then wound back so the inbox
reads "5 min ago" … "12 days ago" instead of all "just now"."""

import random
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.ai.insights import set_intent
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerCreate
from kefu.db import Database
from kefu.demo import DEMO_ADMIN_EMAIL, DemoStep
from kefu.demo.inbox_content import (
    CUSTOMERS_EN,
    CUSTOMERS_ZH,
    PINYIN,
    STORIES_EN,
    STORIES_ZH,
    STORY_INTENTS,
    Story,
)
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets import fields
from kefu.tickets.messages import add_message, list_messages
from kefu.tickets.models import Message, Ticket
from kefu.tickets.schemas import CustomFieldCreate, MessageCreate, TicketUpdate

CUSTOMERS_PER_SCALE = 40
TICKETS_PER_SCALE = 120
REASONS = ["Late delivery", "Changed my mind", "Wrong size", "Damaged", "Other"]
# (status, share): a real queue has more open and solved tickets than on-hold ones.
STATUS_MIX = [("new", 18), ("open", 30), ("pending", 18), ("on_hold", 6), ("solved", 28)]
CHANNELS = [("email", 6), ("chat", 3), ("phone", 1)]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _make_customers(
    database: Database, actor: Actor, scale: int, rng: random.Random
) -> list[tuple[int, str, str, bool]]:
    """(id, name, email, is_chinese) of each demo customer."""
    made = []
    with database.unit_of_work(actor=actor) as session:
        for index in range(CUSTOMERS_PER_SCALE * scale):
            chinese = index % 2 == 1
            pool = CUSTOMERS_ZH if chinese else CUSTOMERS_EN
            at = (index // 2) % len(pool)
            suffix = "" if index < 2 * len(pool) else str(index)
            name = pool[at] + suffix
            local = PINYIN[at] if chinese else pool[at].lower().replace(" ", ".")
            email = f"{local}{suffix}@{'example.cn' if chinese else 'example.com'}"
            is_vip = rng.random() < 0.15
            tags = ["vip"] if is_vip else []
            if rng.random() < 0.3:
                tags.append("repeat_buyer")
            customer = customers.create_customer(
                session,
                actor=actor,
                data=CustomerCreate(
                    name=name,
                    emails=[email],
                    phones=[f"+86 138 {index:04d} {rng.randint(1000, 9999)}"] if chinese else [],
                    language="zh_Hans" if chinese else "en",
                    time_zone="Asia/Shanghai" if chinese else "Europe/London",
                    tags=tags,
                    notes="Prefers WeChat follow-ups." if chinese and is_vip else "",
                    is_vip=is_vip,
                ),
            )
            made.append((customer.id, name, email, chinese))
    return made


def _ensure_fields(session: Session, actor: Actor) -> None:
    keys = {f.key for f in fields.list_fields(session, include_inactive=True)}
    if "order_number" not in keys:
        data = CustomFieldCreate(
            key="order_number", label="Order number", field_type="text", position=1
        )
        fields.create_field(session, actor=actor, data=data)
    if "return_reason" not in keys:
        data = CustomFieldCreate(
            key="return_reason",
            label="Return reason",
            field_type="dropdown",
            options=REASONS,
            position=2,
        )
        fields.create_field(session, actor=actor, data=data)


def _text(template: str, name: str, order: str) -> str:
    return template.format(name=name.split(" ")[0], order=order)


def _one_ticket(
    database: Database,
    *,
    story: Story,
    customer: tuple[int, str, str, bool],
    assignee: Actor | None,
    colleague_id: int,
    team_id: int | None,
    status: str,
    rng: random.Random,
    serial: int,
) -> int:
    _cid, name, email, chinese = customer
    order = f"{'CN' if chinese else 'US'}{100200 + serial}"
    system = Actor.system()
    channel = _pick(rng, CHANNELS)
    with database.unit_of_work(actor=system) as session:
        first = ingest(
            session,
            message=InboundMessage(
                channel=channel,
                source_id=f"demo-{serial}-1@example.com",
                sender=Sender(email=email, name=name),
                subject=_text(story.subject, name, order),
                body_text=_text(story.first, name, order),
            ),
        )
    ticket_id = first.ticket_id
    if status == "new":
        return ticket_id
    agent = assignee or system
    with database.unit_of_work(actor=agent) as session:
        priority = _pick(rng, [("normal", 12), ("high", 4), ("urgent", 2), ("low", 2)])
        tags = list(story.tags) + (["vip"] if rng.random() < 0.1 else [])
        update_data = TicketUpdate(
            assignee_id=agent.agent_id,
            team_id=team_id,
            priority=priority,  # type: ignore[arg-type]
            type="incident" if "damaged" in story.tags or "破损" in story.tags else "question",  # type: ignore[arg-type]
            tags=tags,
            fields={"order_number": order, "return_reason": story.reason},
        )
        from kefu.tickets.service import update_ticket

        update_ticket(session, actor=agent, ticket_id=ticket_id, data=update_data)
        if serial % 5 < 3 and story.subject in STORY_INTENTS:  # agents labelled 3 in 5
            intent = STORY_INTENTS[story.subject]
            set_intent(session, actor=agent, ticket_id=ticket_id, intent=intent)
        if rng.random() < 0.5 or status == "on_hold":
            note = MessageCreate(
                kind="note",
                body_text=_text(story.note, name, order),
                mentions=[colleague_id] if rng.random() < 0.4 else [],
                status="on_hold" if status == "on_hold" else None,  # type: ignore[arg-type]
            )
            add_message(session, actor=agent, ticket_id=ticket_id, data=note)
        if status == "on_hold":
            return ticket_id
        reply_status = "pending" if status in ("pending", "solved", "open") else None
        reply = MessageCreate(
            kind="reply",
            body_text=_text(story.reply, name, order),
            status=reply_status,  # type: ignore[arg-type]
        )
        add_message(session, actor=agent, ticket_id=ticket_id, data=reply)
    if status in ("open", "solved"):
        with database.unit_of_work(actor=system) as session:
            ingest(
                session,
                message=InboundMessage(
                    channel=channel,
                    source_id=f"demo-{serial}-2@example.com",
                    sender=Sender(email=email, name=name),
                    subject="Re: " + _text(story.subject, name, order),
                    body_text=_text(story.follow_up, name, order),
                    ticket_id=ticket_id,
                ),
            )
    if status == "solved":
        with database.unit_of_work(actor=agent) as session:
            closing = "不客气，祝您购物愉快！" if chinese else "You're welcome — have a great day!"
            done = MessageCreate(kind="reply", body_text=closing, status="solved")  # type: ignore[arg-type]
            add_message(session, actor=agent, ticket_id=ticket_id, data=done)
    return ticket_id


def _wind_back(database: Database, ticket_id: int, age: timedelta, rng: random.Random) -> None:
    """Spread the ticket's messages over its age, so the inbox shows a real history."""
    start = utcnow() - age
    with database.unit_of_work(actor=Actor.system()) as session:
        messages = list_messages(session, ticket_id)
        step = age / (len(messages) + 1)
        moment = start
        for message in messages:
            session.execute(
                update(Message).where(Message.id == message.id).values(created_at=moment)
            )
            moment += step * rng.uniform(0.5, 1.0)
        last = moment - step * 0.5
        values = {"created_at": start, "updated_at": last, "last_message_at": last}
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None and ticket.solved_at is not None:
            values["solved_at"] = last
        session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**values))


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    rng = random.Random(20261124)
    with database.sessions() as session:
        admin = accounts.find_agent_by_email(session, DEMO_ADMIN_EMAIL)
        assert admin is not None, "the team step runs first"
        admin_actor = accounts.actor_for(admin)
        workers = [
            a
            for a in accounts.list_agents(session, actor=admin_actor, include_inactive=False)
            if a.role != "light_agent"
        ]
        teams = {t.name: t.id for t in accounts.list_teams(session, actor=admin_actor)}
        people = {a.id: accounts.actor_for(a) for a in workers}
        english = [a.id for a in workers if a.language != "zh_Hans"]
        chinese = [a.id for a in workers if a.language == "zh_Hans"]
    with database.unit_of_work(actor=admin_actor) as session:
        _ensure_fields(session, admin_actor)
    made = _make_customers(database, admin_actor, scale, rng)
    advance(len(made))
    total = TICKETS_PER_SCALE * scale
    for serial in range(total):
        customer = made[(serial * 7) % len(made)]
        is_chinese = customer[3]
        story = rng.choice(STORIES_ZH if is_chinese else STORIES_EN)
        status = _pick(rng, STATUS_MIX)
        pool = chinese if is_chinese else english
        # The demo admin works the queue too, so "My open tickets" is not empty at sign-in.
        assignee_id = admin.id if serial % 6 == 0 else rng.choice(pool or [admin.id])
        colleague_id = rng.choice([a for a in people if a != assignee_id] or [admin.id])
        team = "售后服务" if is_chinese else "Customer Support"
        ticket_id = _one_ticket(
            database,
            story=story,
            customer=customer,
            assignee=people.get(assignee_id),
            colleague_id=colleague_id,
            team_id=teams.get(team),
            status=status,
            rng=rng,
            serial=serial,
        )
        minutes = rng.uniform(3, 240) if status == "new" else rng.uniform(30, 60 * 24 * 12)
        _wind_back(database, ticket_id, timedelta(minutes=minutes), rng)
        advance(1)
    return len(made) + total


STEP = DemoStep(
    name="inbox",
    run=run,
    size=lambda scale: (CUSTOMERS_PER_SCALE + TICKETS_PER_SCALE) * scale,
)
