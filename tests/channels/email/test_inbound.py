"""Receiving email: tickets opened, threads found, noise recognised, nothing lost or doubled."""

import pytest
from sqlalchemy import func, select

from kefu.channels.email import inbound
from kefu.channels.email.models import InboundFailure
from kefu.customers import service as customers
from kefu.runtime import Runtime
from kefu.tickets import service as tickets
from kefu.tickets.messages import list_messages
from kefu.tickets.models import Message
from kefu.tickets.schemas import Status
from tests.accounts.factories import make_agent
from tests.channels.email.factories import deliver, mail, refuse_storing


def _messages(runtime: Runtime, ticket_id: int) -> list[Message]:
    with runtime.database.sessions() as session:
        return list_messages(session, ticket_id)


def test_a_new_mail_opens_a_ticket_and_keeps_the_raw_message(runtime: Runtime) -> None:
    # given
    raw = mail(subject="Wrong size", text="The shoes are too small.", message_id="a1@example.com")
    # when
    [receipt] = deliver(runtime.database, runtime.files, raw)
    # then
    assert receipt.failed is False and receipt.is_duplicate is False
    [message] = _messages(runtime, receipt.ticket_id)
    assert message.body_text.strip() == "The shoes are too small."
    assert message.source_id == "a1@example.com"
    assert message.author_type == "customer"
    details = message.details["email"]
    assert runtime.files.read(details["raw_sha256"]) == raw
    with runtime.database.sessions() as session:
        ticket = tickets.get_ticket(session, receipt.ticket_id)
        assert ticket.subject == "Wrong size"
        assert ticket.channel == "email"
        customer = customers.find_by_identity(session, "email", "emily@example.com")
        assert customer is not None and ticket.requester_id == customer.id
        assert customer.name == "Emily Chen"


def test_the_same_mail_twice_is_stored_once(runtime: Runtime) -> None:
    raw = mail(message_id="twice@example.com")
    [first] = deliver(runtime.database, runtime.files, raw)
    # when: a refetch after a crash hands over the same bytes
    [again] = deliver(runtime.database, runtime.files, raw)
    # then
    assert again.is_duplicate is True
    assert (again.ticket_id, again.message_id) == (first.ticket_id, first.message_id)
    assert len(_messages(runtime, first.ticket_id)) == 1


def test_two_different_mails_sharing_a_message_id_are_both_kept(runtime: Runtime) -> None:
    [first] = deliver(runtime.database, runtime.files, mail(message_id="dup@x", text="First."))
    [second] = deliver(runtime.database, runtime.files, mail(message_id="dup@x", text="Second."))
    assert second.is_duplicate is False
    assert second.message_id != first.message_id


def test_a_mail_without_message_id_is_kept_once(runtime: Runtime) -> None:
    raw = mail(message_id="placeholder@x").replace(b"Message-ID: <placeholder@x>\n", b"")
    assert b"Message-ID" not in raw
    [first] = deliver(runtime.database, runtime.files, raw)
    [again] = deliver(runtime.database, runtime.files, raw)
    assert first.failed is False and again.is_duplicate is True


@pytest.mark.parametrize("header", ["In-Reply-To", "References-first", "References-middle"])
def test_a_reply_referencing_an_earlier_mail_joins_its_ticket(
    runtime: Runtime, header: str
) -> None:
    [first] = deliver(runtime.database, runtime.files, mail(message_id="orig@example.com"))
    refs = {
        "In-Reply-To": {"in_reply_to": "orig@example.com"},
        "References-first": {"references": ["orig@example.com", "other@x"]},
        "References-middle": {"references": ["a@x", "orig@example.com", "b@x"]},
    }[header]
    # when: even from another address and with another subject
    reply = mail(sender="emily.chen@work.example", subject="Different subject", **refs)
    [second] = deliver(runtime.database, runtime.files, reply)
    # then
    assert second.ticket_id == first.ticket_id


def test_a_subject_token_threads_only_for_people_on_the_ticket(runtime: Runtime) -> None:
    [first] = deliver(runtime.database, runtime.files, mail(subject="Broken zip"))
    token = f"Re: Broken zip [#{first.ticket_id}]"
    [own] = deliver(runtime.database, runtime.files, mail(subject=token, text="Any news?"))
    [stranger] = deliver(runtime.database, runtime.files, mail(sender="x@y.example", subject=token))
    assert own.ticket_id == first.ticket_id
    assert stranger.ticket_id != first.ticket_id


def test_same_subject_from_two_customers_never_merges(runtime: Runtime) -> None:
    [emily] = deliver(runtime.database, runtime.files, mail(subject="Where is my order?"))
    [li] = deliver(
        runtime.database,
        runtime.files,
        mail(sender="li.wei@example.cn", name="李伟", subject="Where is my order?"),
    )
    assert li.ticket_id != emily.ticket_id


def test_a_reply_without_references_finds_the_senders_ticket_by_subject(runtime: Runtime) -> None:
    [first] = deliver(runtime.database, runtime.files, mail(subject="我的订单什么时候发货？"))
    [reply] = deliver(
        runtime.database, runtime.files, mail(subject="回复：我的订单什么时候发货？", text="急！")
    )
    [other] = deliver(runtime.database, runtime.files, mail(subject="Another question"))
    assert reply.ticket_id == first.ticket_id
    assert other.ticket_id != first.ticket_id


def test_ccs_become_ticket_ccs_and_copied_agents_follow(runtime: Runtime) -> None:
    agent = make_agent(runtime.database, email="zhang.wei@shop.example.com", name="Zhang Wei")
    raw = mail(cc=["husband@example.com", "zhang.wei@shop.example.com"])
    [receipt] = deliver(runtime.database, runtime.files, raw)
    with runtime.database.sessions() as session:
        husband = customers.find_by_identity(session, "email", "husband@example.com")
        assert husband is not None
        assert tickets.ccs_of(session, receipt.ticket_id) == [husband.id]
        assert tickets.followers_of(session, receipt.ticket_id) == [agent.id]


def test_mail_from_an_agents_own_address_on_a_ticket_is_their_reply(runtime: Runtime) -> None:
    agent = make_agent(runtime.database, email="zhang.wei@shop.example.com", name="Zhang Wei")
    [first] = deliver(runtime.database, runtime.files, mail(message_id="q@example.com"))
    answer = mail(
        sender="zhang.wei@shop.example.com", name="Zhang Wei", subject="Re: Where is my order?",
        in_reply_to="q@example.com", text="It ships today.",
    )  # fmt: skip
    [receipt] = deliver(runtime.database, runtime.files, answer)
    assert receipt.ticket_id == first.ticket_id
    stored = _messages(runtime, first.ticket_id)[-1]
    assert (stored.author_type, stored.author_agent_id) == ("agent", agent.id)
    with runtime.database.sessions() as session:
        assert customers.find_by_identity(session, "email", "zhang.wei@shop.example.com") is None


def test_an_auto_reply_joins_its_thread_but_reopens_nothing(runtime: Runtime) -> None:
    [first] = deliver(runtime.database, runtime.files, mail(message_id="m1@example.com"))
    with runtime.database.unit_of_work() as session:
        ticket = tickets.get_ticket(session, first.ticket_id)
        ticket.status = Status.PENDING
    ooo = mail(
        subject="Automatic reply: Where is my order?",
        in_reply_to="m1@example.com",
        text="I am out of the office until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    [receipt] = deliver(runtime.database, runtime.files, ooo)
    assert receipt.ticket_id == first.ticket_id and receipt.noise == "auto_reply"
    with runtime.database.sessions() as session:
        assert tickets.get_ticket(session, first.ticket_id).status == Status.PENDING


def test_a_new_auto_reply_ticket_is_tagged(runtime: Runtime) -> None:
    raw = mail(subject="Out of office", headers={"Auto-Submitted": "auto-replied"})
    [receipt] = deliver(runtime.database, runtime.files, raw)
    with runtime.database.sessions() as session:
        assert tickets.tags_of(session, [receipt.ticket_id])[receipt.ticket_id] == ["auto-reply"]


def test_a_flood_from_one_sender_is_marked_and_reopens_nothing(runtime: Runtime) -> None:
    raws = [
        mail(subject=f"Ping {i}", text=f"ping {i}") for i in range(inbound.SENDER_LIMIT_PER_HOUR)
    ]
    deliver(runtime.database, runtime.files, *raws)
    [over] = deliver(runtime.database, runtime.files, mail(subject="Ping again"))
    stored = _messages(runtime, over.ticket_id)[-1]
    assert "sender_rate_limited" in stored.details["email"]["defects"]
    assert stored.details["automated"] is True


def test_a_mail_that_cannot_be_stored_is_kept_raw_and_the_next_goes_on(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_storing(monkeypatch, "database said no", subject="poison")
    bad, good = mail(subject="poison"), mail(subject="fine")
    receipts = deliver(runtime.database, runtime.files, bad, good)
    again = deliver(runtime.database, runtime.files, bad)
    assert [r.failed for r in receipts] == [True, False]
    assert again[0].failed is True
    with runtime.database.sessions() as session:
        failures = list(session.scalars(select(InboundFailure)))
        assert len(failures) == 1
        assert runtime.files.read(failures[0].raw_sha256) == bad
        assert "database said no" in failures[0].error
        assert session.scalar(select(func.count(Message.id))) == 1


@pytest.mark.parametrize(
    ("headers", "priority"),
    [
        ({"X-Priority": "1 (Highest)"}, "high"),
        ({"Importance": "High"}, "high"),
        ({"Priority": "urgent"}, "high"),
        ({"X-Priority": "5 (Lowest)"}, "low"),
        ({"X-MSMail-Priority": "Low"}, "low"),
        ({"X-Priority": "3 (Normal)"}, "normal"),
        ({}, "normal"),
    ],
)
def test_the_senders_urgency_sets_a_new_tickets_priority(
    runtime: Runtime, headers: dict[str, str], priority: str
) -> None:
    # given
    raw = mail(subject="Order 1001", headers=headers)
    # when
    [receipt] = deliver(runtime.database, runtime.files, raw)
    # then
    with runtime.database.sessions() as session:
        assert tickets.get_ticket(session, receipt.ticket_id).priority == priority


def test_an_auto_reply_flagged_important_opens_a_normal_ticket(runtime: Runtime) -> None:
    raw = mail(headers={"Auto-Submitted": "auto-replied", "Importance": "high"})
    [receipt] = deliver(runtime.database, runtime.files, raw)
    with runtime.database.sessions() as session:
        assert tickets.get_ticket(session, receipt.ticket_id).priority == "normal"
