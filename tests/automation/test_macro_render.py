"""A macro filled in for a ticket: the customer's language, the latest order and its
tracking, the agent's signature, missing data shown, HTML escaped, actions parsed."""

import pytest

from kefu.accounts import service as accounts
from kefu.accounts.schemas import AgentUpdate
from kefu.automation.macro_render import record_macro_use, render_macro
from kefu.automation.macros import service
from kefu.automation.ticket_changes import AddTags, SetStatus
from kefu.commerce.schemas import FulfilmentIn
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerUpdate
from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from tests.accounts.factories import make_agent
from tests.automation.macro_factories import make_macro
from tests.commerce.factories import make_order, make_store
from tests.tickets.factories import make_ticket

SHIPPING = (
    "Hi {{ customer.first_name }}, order #{{ order.number }} ({{ order.total }}) "
    "is {{ order.tracking_status }}: {{ order.tracking_url }}\n{{ agent.signature }}"
)


def _set_language(database: Database, customer_id: int, language: str) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        customers.update_customer(
            session,
            actor=Actor.system(),
            customer_id=customer_id,
            data=CustomerUpdate(language=language),
        )


def _render(database: Database, macro_id: int, ticket_id: int, **values: object):
    with database.unit_of_work(actor=Actor.system()) as session:
        return render_macro(
            session,
            macro_id=macro_id,
            ticket_id=ticket_id,
            agent_id=values.get("agent_id"),  # type: ignore[arg-type]
            language=values.get("language"),  # type: ignore[arg-type]
        )


def test_a_macro_reads_the_latest_order_its_tracking_and_the_agent(database: Database) -> None:
    # given
    store = make_store(database)
    shipment = FulfilmentIn(
        external_id="f1",
        carrier="UPS",
        tracking_number="1Z999",
        tracking_url="https://track.example/1Z999",
        status="in_transit",
    )
    make_order(database, store=store, number="1001")
    make_order(database, store=store, number="1002", shipments=[shipment])
    ticket = make_ticket(database)
    agent = make_agent(database, name="Lin Wei")
    with database.unit_of_work(actor=Actor.system()) as session:
        accounts.update_agent(
            session,
            actor=Actor.system(),
            agent_id=agent.id,
            data=AgentUpdate(signature="Lin, Lumen support"),
        )
    macro = make_macro(database, en=SHIPPING)
    # when
    rendered = _render(database, macro.id, ticket.id, agent_id=agent.id)
    # then
    assert rendered.body_text.splitlines() == [
        "Hi Emily, order #1002 ($73.00) is In transit: https://track.example/1Z999",
        "Lin, Lumen support",
    ]
    assert rendered.missing == []
    assert rendered.language == "en"


def test_missing_data_is_shown_in_brackets_and_named(database: Database) -> None:
    # given: a customer without a name or an order, no agent (a rule replying)
    ticket = make_ticket(database)
    macro = make_macro(database, en=SHIPPING)
    # when
    rendered = _render(database, macro.id, ticket.id)
    # then
    assert rendered.body_text.splitlines()[0] == (
        "Hi [customer.first_name], order #[order.number] ([order.total]) is "
        "[order.tracking_status]: [order.tracking_url]"
    )
    assert rendered.missing == [
        "customer.first_name",
        "order.number",
        "order.total",
        "order.tracking_status",
        "order.tracking_url",
        "agent.signature",
    ]


def test_the_customers_language_is_chosen_and_falls_back(database: Database) -> None:
    # given
    ticket = make_ticket(database)
    _set_language(database, ticket.requester_id, "zh_Hans")
    both = make_macro(database, name="Both", en="Hello {{ customer.email }}", zh="您好")
    english_only = make_macro(database, name="English", en="Hello")
    # when
    chinese = _render(database, both.id, ticket.id)
    asked = _render(database, both.id, ticket.id, language="en")
    fallback = _render(database, english_only.id, ticket.id)
    # then
    assert (chinese.body_text, chinese.language) == ("您好", "zh_Hans")
    assert (asked.body_text, asked.language) == ("Hello emily@example.com", "en")
    assert (fallback.body_text, fallback.language) == ("Hello", "en")


def test_values_are_escaped_in_the_html_part(database: Database) -> None:
    # given
    ticket = make_ticket(database, email="x@example.com")
    with database.unit_of_work(actor=Actor.system()) as session:
        customers.update_customer(
            session,
            actor=Actor.system(),
            customer_id=ticket.requester_id,
            data=CustomerUpdate(name="<script>alert(1)</script> Bob"),
        )
    macro = make_macro(database, en="Dear {{ customer.name }}\nThanks")
    # when
    rendered = _render(database, macro.id, ticket.id)
    # then
    assert rendered.body_text == "Dear <script>alert(1)</script> Bob\nThanks"
    assert rendered.body_html == "Dear &lt;script&gt;alert(1)&lt;/script&gt; Bob<br>\nThanks"


def test_actions_come_parsed_and_a_use_is_counted(database: Database) -> None:
    # given
    ticket = make_ticket(database)
    actions = [
        {"type": "set_status", "status": "pending"},
        {"type": "add_tags", "tags": ["shipping"]},
    ]
    macro = make_macro(database, en="On its way", actions=actions)
    # when
    rendered = _render(database, macro.id, ticket.id)
    with database.unit_of_work(actor=Actor.system()) as session:
        record_macro_use(session, macro_id=macro.id)
        record_macro_use(session, macro_id=macro.id)
    # then
    assert rendered.changes == [SetStatus(status="pending"), AddTags(tags=["shipping"])]
    with database.unit_of_work(actor=Actor.system()) as session:
        stored = service.get_macro(session, macro.id)
        assert stored.usage_count == 2
        assert stored.last_used_at is not None


def test_a_switched_off_macro_does_not_render(database: Database) -> None:
    # given
    ticket = make_ticket(database)
    macro = make_macro(database, en="Hello", is_active=False)
    # when / then
    with pytest.raises(InvalidInput, match="switched off"):
        _render(database, macro.id, ticket.id)
