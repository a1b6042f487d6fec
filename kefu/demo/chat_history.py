"""Demo step: the store's live chat with a past — ended chats with their ratings, one chat in
progress with the demo admin and a few shoppers waiting in the queue — made through the chat
services (greet, start, send, accept, the agent's reply as the ticket's message, end, rate).

The services stamp everything "now"; each chat is then moved to the moment it happened, with
a shopper's wait, the agents' pace and the chat's length, so the queue and the reports read
like a working week. Run before the analytics step, which moves the tickets' own events."""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.chat import service as chats
from kefu.channels.chat import visitors, widgets
from kefu.channels.chat.demo_store import DEMO_WIDGET_NAME
from kefu.channels.chat.models import Chat, ChatEntry
from kefu.channels.chat.replies import deliver_agent_reply
from kefu.channels.chat.schemas import PageContext, PrechatIn
from kefu.db import Database
from kefu.demo import DEMO_ADMIN_EMAIL, DemoStep
from kefu.demo.chat_content import (
    PAGE_TITLES,
    SCRIPTS_EN,
    SCRIPTS_ZH,
    WAITING_EN,
    WAITING_ZH,
    ChatScript,
)
from kefu.demo.inbox_content import CUSTOMERS_EN, CUSTOMERS_ZH, PINYIN
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets import service as tickets
from kefu.tickets.messages import add_message
from kefu.tickets.models import Message, Ticket
from kefu.tickets.schemas import MessageCreate, TicketUpdate

CHATS_PER_SCALE = 16
STORE = "https://lumen-outfitters.example"


def _shopper(index: int) -> tuple[str, str, bool]:
    """(name, email, is_chinese): the inbox step's customers, so a chat finds its customer."""
    chinese = index % 2 == 1
    pool = CUSTOMERS_ZH if chinese else CUSTOMERS_EN
    at = (index // 2) % len(pool)
    local = PINYIN[at] if chinese else pool[at].lower().replace(" ", ".")
    return pool[at], f"{local}@{'example.cn' if chinese else 'example.com'}", chinese


def _open_chat(
    session: Session, *, index: int, page: str, first: str, order: str, now: datetime
) -> Chat:
    widget_row = next(
        w for w in widgets.list_widgets(session, actor=Actor.system()) if w.name == DEMO_WIDGET_NAME
    )
    name, email, chinese = _shopper(index)
    greeting = visitors.greet(session, widget=widget_row, token=None, identity=None, now=now)
    chat = visitors.start_chat(
        session,
        widget=widget_row,
        visitor=greeting.visitor,
        prechat=PrechatIn(name=name, email=email, order=order),
        page=PageContext(url=f"{STORE}{page}", title=PAGE_TITLES[page]),
        locale="zh" if chinese else "en",
        now=now,
    )
    visitors.send_message(
        session,
        widget=widget_row,
        visitor=greeting.visitor,
        chat=chat,
        client_id=f"demo-{index}-0",
        body=first.format(order=order),
        now=now,
    )
    return chat


def _converse(
    session: Session,
    chat: Chat,
    script: ChatScript,
    *,
    agent: Actor,
    order: str,
    index: int,
    solve: bool,
) -> None:
    """The rest of the script: the agent accepts and answers, the shopper follows up, the
    chat ends (by the shopper, or the agent after a thank-you), is rated, and its ticket is
    solved unless `solve` is false (a follow-up is still to do)."""
    chats.accept(session, actor=agent, chat_id=chat.id)
    widget_row = widgets.get_widget(session, chat.widget_id)
    visitor = visitors.visitor_by_id(session, chat.visitor_id)
    for turn, text in enumerate(script.turns[1:], start=1):
        body = text.format(order=order)
        if turn % 2 == 1:
            assert chat.ticket_id is not None
            reply = MessageCreate(kind="reply", body_text=body)
            message = add_message(session, actor=agent, ticket_id=chat.ticket_id, data=reply)
            deliver_agent_reply(session, message_id=message.id)  # what the handler does
        else:
            visitors.send_message(
                session,
                widget=widget_row,
                visitor=visitor,
                chat=chat,
                client_id=f"demo-{index}-{turn}",
                body=body,
                now=utcnow(),
            )
    chats.end(session, actor=agent if len(script.turns) % 2 == 0 else None, chat_id=chat.id)
    if solve and chat.ticket_id is not None:
        tickets.update_ticket(
            session, actor=agent, ticket_id=chat.ticket_id, data=TicketUpdate(status="solved")
        )
    if script.rating is not None:
        visitors.rate(
            session,
            visitor=visitor,
            chat_id=chat.id,
            score=script.rating,
            comment=script.comment or None,
        )


def _move_in_time(
    session: Session, chat_id: int, start: datetime, rng: random.Random, *, wait: float
) -> None:
    """Give the chat the pace of a real one: the shopper waits `wait` seconds for an agent,
    then each line follows the one before by half a minute to two minutes."""
    entries = list(
        session.scalars(
            select(ChatEntry).where(ChatEntry.chat_id == chat_id).order_by(ChatEntry.seq)
        )
    )
    moment, accepted = start, None
    for position, entry in enumerate(entries):
        if position == 1:
            moment += timedelta(seconds=wait)
        elif position > 1:
            moment += timedelta(
                seconds=rng.uniform(5, 20) if entry.author == "system" else rng.uniform(30, 120)
            )
        if entry.author == "system" and accepted is None and position > 0:
            accepted = moment
        session.execute(update(ChatEntry).where(ChatEntry.id == entry.id).values(created_at=moment))
        if entry.message_id is not None:
            session.execute(
                update(Message).where(Message.id == entry.message_id).values(created_at=moment)
            )
    chat = session.get(Chat, chat_id)
    assert chat is not None
    ended = moment if chat.status == "ended" else None
    chat.started_at, chat.accepted_at = start, accepted if chat.agent_id is not None else None
    chat.ended_at = ended
    ticket = session.get(Ticket, chat.ticket_id) if chat.ticket_id is not None else None
    if ticket is not None:
        values = {"created_at": start, "updated_at": moment, "last_message_at": moment}
        if ticket.solved_at is not None:
            values["solved_at"] = moment
        session.execute(update(Ticket).where(Ticket.id == ticket.id).values(**values))
    _move_events(session, chat, start=start, accepted=accepted, ended=ended)


def _move_events(
    session: Session,
    chat: Chat,
    *,
    start: datetime,
    accepted: datetime | None,
    ended: datetime | None,
) -> None:
    """The chat's own events at those moments, their waits and durations to match."""
    rows = session.scalars(
        select(Event).where(Event.subject_type == "chat", Event.subject_id == str(chat.id))
    )
    for event in rows:
        payload = dict(event.payload or {})
        moment = start
        if event.type == "chat.accepted" and accepted is not None:
            moment, payload["wait_seconds"] = accepted, int((accepted - start).total_seconds())
        elif event.type in ("chat.ended", "chat.rated") and ended is not None:
            moment = ended
            if event.type == "chat.ended":
                payload["duration_seconds"] = int((ended - start).total_seconds())
        event.created_at, event.payload = moment, payload


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    rng = random.Random(20261206)
    with database.sessions() as session:
        admin = accounts.find_agent_by_email(session, DEMO_ADMIN_EMAIL)
        assert admin is not None, "the team step runs first"
        workers = [
            accounts.actor_for(a)
            for a in accounts.list_agents(
                session, actor=accounts.actor_for(admin), include_inactive=False
            )
            if a.role != "light_agent"
        ]
    made = 0
    total = CHATS_PER_SCALE * scale
    for index in range(total):
        chinese = index % 2 == 1
        script = rng.choice(SCRIPTS_ZH if chinese else SCRIPTS_EN)
        order = f"{'CN' if chinese else 'US'}{100200 + rng.randint(0, 119)}"
        agent = rng.choice(workers)
        start = utcnow() - timedelta(minutes=rng.uniform(60, 60 * 24 * 13))
        with database.unit_of_work(actor=agent) as session:
            chat = _open_chat(
                session,
                index=index,
                page=script.page,
                first=script.turns[0],
                order=order,
                now=start,
            )
            _converse(
                session,
                chat,
                script,
                agent=agent,
                order=order,
                index=index,
                solve=rng.random() < 0.85,
            )
            _move_in_time(session, chat.id, start, rng, wait=rng.lognormvariate(3.6, 0.8))
        made += 1
        advance(1)
    live = _live_now(database, rng, admin_actor=accounts.actor_for(admin), first=total)
    advance(live)
    return made + live


def _live_now(database: Database, rng: random.Random, *, admin_actor: Actor, first: int) -> int:
    """Shoppers in the queue right now, and one chat the demo admin is in the middle of."""
    waiting = [(text, False) for text in WAITING_EN] + [(text, True) for text in WAITING_ZH]
    for offset, (text, chinese) in enumerate(waiting):
        index = first + offset * 2 + (1 if chinese else 0)
        order = f"{'CN' if chinese else 'US'}{100200 + rng.randint(0, 119)}"
        start = utcnow() - timedelta(seconds=rng.uniform(20, 240))
        with database.unit_of_work(actor=admin_actor) as session:
            chat = _open_chat(session, index=index, page="/", first=text, order=order, now=start)
            _move_in_time(session, chat.id, start, rng, wait=0)
    index = first + 2 * len(waiting) + 2
    script = SCRIPTS_EN[0]
    start = utcnow() - timedelta(minutes=3)
    with database.unit_of_work(actor=admin_actor) as session:
        chat = _open_chat(
            session, index=index, page=script.page, first=script.turns[0], order="", now=start
        )
        chats.accept(session, actor=admin_actor, chat_id=chat.id)
        _move_in_time(session, chat.id, start, rng, wait=25)
    return len(waiting) + 1


STEP = DemoStep(
    name="chat history",
    run=run,
    size=lambda scale: CHATS_PER_SCALE * scale + len(WAITING_EN) + len(WAITING_ZH) + 1,
)
