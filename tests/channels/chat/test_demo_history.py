"""The demo's chat history: ended chats with a believable pace and ratings, a queue, and one
chat in progress with the demo admin, all made through the chat services."""

from sqlalchemy import select

from kefu.accounts import service as accounts
from kefu.channels.chat import service as chats
from kefu.db import Database
from kefu.demo import DEMO_ADMIN_EMAIL, chat_history, team
from kefu.demo import chat as demo_chat
from kefu.events import Event
from kefu.kit.clock import as_utc
from kefu.tickets.messages import list_messages


def test_demo_chats_have_a_past_a_queue_and_one_chat_in_progress(database: Database) -> None:
    # given the demo team and widget
    team.run(database, 1, lambda n: None)
    demo_chat.run(database, 1, lambda n: None)
    # when the chat history step runs
    steps: list[int] = []
    made = chat_history.run(database, 1, steps.append)
    # then it made what it announced
    assert made == sum(steps) == chat_history.STEP.size(1)
    with database.sessions() as session:
        admin = accounts.find_agent_by_email(session, DEMO_ADMIN_EMAIL)
        assert admin is not None
        waiting = chats.waiting_chats(session)
        mine = chats.agent_chats(session, admin.id)
        ended = [
            chats.get_chat(session, chat_id)
            for (chat_id,) in session.execute(
                select(Event.subject_id).where(Event.type == "chat.ended")
            )
        ]
        assert len(waiting) == 3 and len(mine) == 1
        assert len(ended) == chat_history.CHATS_PER_SCALE
        for chat in ended:
            started, accepted, over = (
                as_utc(chat.started_at),
                as_utc(chat.accepted_at),
                as_utc(chat.ended_at),
            )
            # a shopper waited, then the conversation took minutes, in the past
            assert started < accepted < over
            entries = chats.entries(session, chat.id)
            times = [as_utc(e.created_at) for e in entries]
            assert times == sorted(times) and times[0] == started and times[-1] == over
            # each line of the chat is the ticket's message, at the same moment
            assert chat.ticket_id is not None
            sent = {m.id: as_utc(m.created_at) for m in list_messages(session, chat.ticket_id)}
            for entry in entries:
                if entry.message_id is not None:
                    assert sent[entry.message_id] == as_utc(entry.created_at)
            authors = [e.author for e in entries]
            assert authors[0] == "visitor" and "agent" in authors
        # the events say the same waits and lengths as the chats
        accepted_events = session.scalars(select(Event).where(Event.type == "chat.accepted"))
        by_chat = {c.id: c for c in ended}
        for event in accepted_events:
            chat = by_chat.get(int(event.subject_id))
            if chat is not None:
                wait = as_utc(chat.accepted_at) - as_utc(chat.started_at)
                assert event.payload["wait_seconds"] == int(wait.total_seconds())
                assert as_utc(event.created_at) == as_utc(chat.accepted_at)
        rated = [c.rating for c in ended if c.rating is not None]
        assert rated and all(1 <= r <= 5 for r in rated)
