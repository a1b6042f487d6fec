"""Extractive summaries: what the customer wants, what was done, what is pending, taken from
the thread's own sentences; shown above long tickets' conversations."""

from typing import Any

from kefu.ai.summary import Summary, Turn, sentences, summarize
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.tickets import messages
from kefu.tickets.schemas import MessageCreate
from tests.accounts.factories import make_agent
from tests.tickets.factories import receive
from tests.tickets.test_pages import signed_in

THREAD = [
    Turn("customer", "Hello,\nMy order 1001 arrived with a broken lamp. I would like a refund."),
    Turn("agent", "Sorry to hear that! I have refunded the lamp. We will email the label."),
    Turn("customer", "Thanks. Can you also cancel order 1002?"),
]


def test_wants_done_and_pending_are_sentences_of_the_thread() -> None:
    found = summarize(THREAD)
    assert found.wants == ["My order 1001 arrived with a broken lamp.", "I would like a refund."]
    assert found.done == ["I have refunded the lamp."]
    assert found.pending == ["Can you also cancel order 1002?"]


def test_an_answered_thread_is_pending_on_the_agents_promise() -> None:
    found = summarize(THREAD[:2])
    assert found.pending == ["We will email the label."]


def test_chinese_threads_are_summarized_too() -> None:
    found = summarize(
        [
            Turn("customer", "你好。我的快递还没到，请帮我查一下。"),
            Turn("agent", "已经为您联系快递公司了。明天会给您回复。"),
        ]
    )
    assert found.as_dict() == {
        "wants": ["我的快递还没到，请帮我查一下。"],
        "done": ["已经为您联系快递公司了。"],
        "pending": ["明天会给您回复。"],
    }


def test_quoted_lines_and_greetings_are_left_out() -> None:
    assert sentences("Hi!\nWhere is it?\n> On Monday you wrote:\n> old text\nThanks") == [
        "Where is it?"
    ]
    assert Summary().is_empty and Summary().as_text() == ""


def _long_ticket(database: Database) -> int:
    ticket_id = receive(database, text="My lamp arrived broken. I would like a refund.").ticket_id
    agent = make_agent(database, email="bo@example.com", name="Bo")
    actor = Actor(kind="agent", name="Bo", agent_id=agent.id, role="agent")
    with database.unit_of_work(actor=actor) as session:
        for text in ("Could you send a photo?", "I have refunded the lamp.", "Thanks!"):
            messages.add_message(
                session, actor=actor, ticket_id=ticket_id,
                data=MessageCreate(body_text=text),
            )  # fmt: skip
    for text in ("Here is the photo.", "Where is my refund? It is not on my card."):
        receive(database, text=text, ticket_id=ticket_id)
    return ticket_id


def test_a_long_ticket_shows_its_summary_above_the_conversation(
    client: Any, database: Database
) -> None:
    # given: six messages; a short ticket beside it
    ticket_id = _long_ticket(database)
    short = receive(database, subject="Hello", text="Where is my parcel?").ticket_id
    signed_in(client, database)
    # when
    page = client.get(f"/tickets/{ticket_id}").text
    short_page = client.get(f"/tickets/{short}").text
    # then
    assert 'id="ticket-summary"' in page
    assert page.index('id="ticket-summary"') < page.index("Could you send a photo?")
    assert '<dd class="summary-done">I have refunded the lamp.</dd>' in page
    assert '<dd class="summary-pending">Where is my refund?</dd>' in page
    assert '<dd class="summary-wants">My lamp arrived broken.</dd>' in page
    assert 'id="ticket-summary"' not in short_page
