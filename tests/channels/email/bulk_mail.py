"""A mixed mailbox for comparing bulk ingest with one-by-one ingest: the benchmark's
generated customer mail with threads, plus every kind of mail that threads, copies, floods,
repeats or is noise, and a snapshot of every row ingest writes, ids included."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from bench.email_corpus import generate
from kefu.db import Database
from tests.channels.email.factories import mail

SUPPORT = "support@example.com"  # the generated mail's support address
TABLES = {
    "customers": "id",
    "customer_identities": "id",
    "tickets": "id",
    "messages": "id",
    "attachments": "id",
    "ticket_ccs": "ticket_id, customer_id",
    "ticket_followers": "ticket_id, agent_id",
    "ticket_tags": "ticket_id, tag_id",
    "ticket_links": "ticket_id, linked_ticket_id",
    "events": "id",
    "event_deliveries": "id",
    "audit_entries": "id",
    "inbound_email_failures": "id",
}


def first_day() -> list[bytes]:
    """Mail already stored when the mixed batch comes: tickets to reopen, close, hint at."""
    return [
        mail(sender="solved@example.com", subject="Broken zipper", message_id="solved.1@x"),
        mail(sender="closed@example.com", subject="Late parcel", message_id="closed.1@x"),
        mail(sender="hinted@example.com", subject="Invoice please", message_id="hinted.1@x"),
        mail(sender="pending@example.com", subject="Size exchange", message_id="pending.1@x"),
        *generate(40, seed=11, customers=12),
    ]


def mixed_batch(agent: str, *, ticket_for_hint: int) -> list[bytes]:
    """Every case bulk ingest must get exactly right, interleaved with generated mail."""
    corpus = list(generate(120, seed=11, customers=12))[40:]  # the day after first_day's
    flood = [
        mail(sender="loop@example.com", subject=f"Auto ticket {n}", text=f"ping {n}")
        for n in range(33)
    ]
    twice = mail(sender="twice@example.com", subject="Sent twice", message_id="twice@x")
    special = [
        # a first mail and the answer to it, and the same subject again without references
        mail(sender="new@example.com", subject="Where is my order?", message_id="new.1@x"),
        mail(sender="new@example.com", subject="Re: Where is my order?", in_reply_to="new.1@x"),
        mail(sender="new@example.com", subject="RE: where is my order?", text="any news?"),
        # another customer with the same subject: never the same ticket
        mail(sender="other@example.com", subject="Where is my order?"),
        # the sender flagged it: a high-priority ticket
        mail(sender="rush@example.com", subject="Need it by Friday", headers={"X-Priority": "1"}),
        # copies: a new person and an existing customer; one of them answers
        mail(
            sender="cc-writer@example.com",
            subject="Gift for my sister",
            message_id="gift.1@x",
            cc=["sister@example.com", "new@example.com", "Sister <SISTER@example.com>"],
        ),
        mail(sender="sister@example.com", subject="Re: Gift", references=["gift.1@x"]),
        # answers to stored tickets: reopen a solved one, continue a pending one quietly,
        # a follow-up of a closed one, a subject token from a participant and a stranger
        mail(sender="solved@example.com", subject="Re: Broken zipper", in_reply_to="solved.1@x"),
        mail(
            sender="pending@example.com",
            subject="Re: Size exchange",
            in_reply_to="pending.1@x",
            headers={"Auto-Submitted": "auto-replied"},
        ),
        mail(sender="pending@example.com", subject="Size exchange", text="still waiting"),
        mail(sender="closed@example.com", subject="Re: Late parcel", in_reply_to="closed.1@x"),
        mail(sender="hinted@example.com", subject=f"Invoice [#{ticket_for_hint}]"),
        mail(sender="stranger@example.com", subject=f"Hello [#{ticket_for_hint}]"),
        # the same mail twice, a different mail under its Message-ID, none at all
        twice,
        twice,
        mail(sender="twice@example.com", subject="Not the same", message_id="twice@x"),
        re.sub(rb"(?m)^Message-ID: .*\n", b"", mail(sender="noid@example.com", subject="No id")),
        # HTML only, an attachment, our own copy, an agent copied, an agent's own answer
        mail(sender="html@example.com", subject="", text="", html="<p>Only <b>HTML</b></p>"),
        mail(sender="file@example.com", attachments=[("a.txt", "text/plain", b"abc")]),
        mail(sender=SUPPORT, subject="Re: Gift for my sister", in_reply_to="gift.1@x"),
        mail(sender="copy@example.com", subject="For the agent", cc=[agent]),
        mail(sender=agent, subject="Re: Gift for my sister", in_reply_to="gift.1@x"),
        mail(sender="new@example.com", subject="Re: Where is my order?", in_reply_to="new.1@x"),
        # Chinese everywhere: the name, the subject, the text, an attachment's name, a CC
        mail(
            sender="zhang@example.com",
            name="张伟",
            subject="订单什么时候到？",
            text="你好，我的订单还没到。谢谢！😀",
            cc=["王芳 <wang@example.com>"],
            attachments=[("发票.txt", "text/plain", "发票".encode())],
        ),
        mail(sender="zhang@example.com", name="张伟", subject="回复：订单什么时候到？"),
    ]
    mixed: list[bytes] = []
    for number, raw in enumerate(corpus):
        mixed.append(raw)
        if number % 4 == 0 and special:
            mixed.append(special.pop(0))
        if number % 3 == 0 and flood:
            mixed.append(flood.pop(0))
    return mixed + special + flood


def snapshot(database: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tables ingest writes, in key order, as the driver returns it: times
    only by their form (the two runs happen at different moments; SQLite's stored text with
    its digits masked, PostgreSQL's datetime and UTC offset), other values as they are."""
    found = {}
    with database.engine.connect() as connection:
        for table, key in TABLES.items():
            query = f"SELECT * FROM {table} ORDER BY {key}"  # noqa: S608 (names above)
            rows = connection.exec_driver_sql(query)
            found[table] = [_row(dict(row._mapping)) for row in rows]
    found["event_deliveries"] = _per_event(found["event_deliveries"])
    return found


def _per_event(deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each handler's progress on each event: a bulk emit's delivery stands for several
    events of its handler (kefu.events.emit_many), one by one there is one per event."""
    found = []
    for row in deliveries:
        more = row.pop("more_event_ids") or []
        del row["id"]
        found += [{**row, "event_id": event_id} for event_id in [row["event_id"], *more]]
    return sorted(found, key=lambda row: (row["event_id"], row["handler"]))


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        column: _time_form(value) if column.endswith("_at") else _timeless(value)
        for column, value in row.items()
    }


def _time_form(value: Any) -> Any:
    if isinstance(value, datetime):
        return f"datetime {value.utcoffset()}"
    return re.sub(r"\d", "9", value) if isinstance(value, str) else value


def _timeless(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _timeless(v)
            for k, v in value.items()
            if not (isinstance(v, datetime) or k.endswith("_at"))
        }
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return _timeless(json.loads(value))
        except ValueError:
            return value
    return value
