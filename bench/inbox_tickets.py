"""The inbox benchmark's tickets, their conversations and tags, consistent with each other:
statuses follow the ticket's age, the last public message follows the status, and
`message_count`, `last_message_at`, `solved_at` and `updated_at` follow the messages."""

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.inbox_people import Customers
from bench.inbox_templates import (
    AGENT_FOLLOWUPS,
    AGENT_FRAMES,
    CUSTOMER_FOLLOWUPS,
    CUSTOMER_FRAMES,
    NOTES,
    TOPICS,
    Topic,
)
from bench.inbox_words import (
    AGENTS,
    DAY,
    EN_CARRIERS,
    EN_COLORS,
    EN_PRODUCTS,
    END,
    EXTRA_TAGS,
    HOUR,
    MONTHS,
    SIZES,
    SPAM_EN,
    SPAM_ZH,
    STORES,
    ZH_CARRIERS,
    ZH_COLORS,
    ZH_PRODUCTS,
    weighted,
)

if TYPE_CHECKING:
    from bench.inbox_data import Batch, StoreHistory

VIP_TEAM = 4
COUPONS = ["SAVE20", "WELCOME10", "SPRING15", "VIP30", "DOUBLE11", "618SALE", "FREESHIP"]
UNSOLVED = ("new", "open", "pending", "on_hold")
# Status by age: recent tickets are still being worked, old ones are closed (a few stale).
STATUS_BY_AGE = [
    (3 * DAY, [("new", 15), ("open", 35), ("pending", 20), ("on_hold", 3), ("solved", 27)]),
    (30 * DAY, [("new", 1), ("open", 6), ("pending", 5), ("on_hold", 2), ("solved", 30),
                ("closed", 56)]),
    (10**12, [("new", 0.2), ("open", 1), ("pending", 1), ("on_hold", 0.5), ("solved", 0.5),
              ("closed", 96.8)]),
]  # fmt: skip
# Share of tickets with an assignee, by status.
ASSIGNED = {"new": 0.2, "open": 0.85, "pending": 0.95, "on_hold": 0.95}
CHANNELS = (
    [("email", 60), ("chat", 25), ("web", 8), ("phone", 5), ("api", 2)],
    [("chat", 45), ("email", 30), ("web", 15), ("phone", 5), ("api", 5)],
)
PRIORITIES = [("normal", 75), ("high", 12), ("low", 10), ("urgent", 3)]
TYPES = [
    ("question", 40), ("incident", 25), ("complaint", 10), ("problem", 5), ("task", 5), (None, 15),
]  # fmt: skip
# Public messages after the first: geometric with this mean, by channel.
EXTRA_REPLIES = {"chat": 3.3, "email": 1.7, "web": 1.7, "api": 1.5, "phone": 1.2}
NOTE_CHANCE = 0.12


def _geometric_scale(mean: float) -> float:
    """floor(Exp(1/scale)) has the given mean."""
    return 1 / math.log(1 + 1 / mean)


@dataclass(slots=True)
class _Ticket:
    id: int
    customer: int
    worker: int  # the assignee, or the team member who answers an unassigned ticket
    topic: Topic
    lang: int  # 0 English, 1 Chinese
    channel: str
    created: int
    slots: dict[str, str]


class TicketWriter:
    """Writes tickets in id (= creation) order; remembers each customer's previous ticket so
    follow-ups quote the same order number and duplicates can be merged into it."""

    def __init__(
        self, history: "StoreHistory", customers: Customers, requesters: list[int]
    ) -> None:
        self.history = history
        self.rng = rng = history.rng
        self.customers = customers
        self.requesters = requesters
        self.times = history.times
        self.message_id = 0
        self.previous: dict[int, tuple[int, str, int]] = {}  # customer -> (ticket, order, time)
        self.statuses: Counter[str] = Counter()
        self.pick_topic = weighted(rng, [(t, t.weight) for t in TOPICS])
        self.pick_channel = [weighted(rng, c) for c in CHANNELS]
        self.pick_status = [(age, weighted(rng, s)) for age, s in STATUS_BY_AGE]
        self.pick_priority = weighted(rng, PRIORITIES)
        self.pick_type = weighted(rng, TYPES)
        self.reply_scale = {k: _geometric_scale(v) for k, v in EXTRA_REPLIES.items()}
        self.agent_names = [name for name, _ in AGENTS]

    def rows(self, start: int, stop: int) -> "Batch":
        batch: Batch = {"tickets": [], "messages": [], "ticket_tags": []}
        for index in range(start, stop):
            self._ticket(index, batch)
        return batch

    def _slots(self, zh: bool, order: str, agent: str, store: int, created: int) -> dict[str, str]:
        rng = self.rng
        day = (created // DAY) - rng.randint(0, 20)
        month, dom = int(day % 365 / 30.5) % 12, day % 28 + 1
        size = rng.randrange(len(SIZES) - 1)
        return {
            "order": order.lstrip("#") if zh else order,
            "product": rng.choice(ZH_PRODUCTS if zh else EN_PRODUCTS),
            "color": rng.choice(ZH_COLORS if zh else EN_COLORS),
            "size": SIZES[size],
            "size2": SIZES[size + 1],
            "date": f"{month + 1}月{dom}日" if zh else f"{MONTHS[month]} {dom}",
            "tracking": (
                f"SF{rng.randrange(10**13):013d}" if zh else f"1Z{rng.randrange(10**16):016d}"
            ),
            "carrier": rng.choice(ZH_CARRIERS if zh else EN_CARRIERS),
            "amount": f"¥{rng.randint(39, 2999)}" if zh else f"${rng.randint(15, 400)}.99",
            "coupon": rng.choice(COUPONS),
            "agent": agent,
            "store": STORES[store],
            "days": str(rng.randint(2, 12)),
        }

    def _ticket(self, index: int, batch: "Batch") -> None:
        rng, customers = self.rng, self.customers
        tid, customer, created = index + 1, self.requesters[index], self.times[index]
        ci = customer - 1
        zh, vip = bool(customers.is_zh[ci]), bool(customers.is_vip[ci])
        topic, channel = self.pick_topic(), self.pick_channel[zh]()
        status = next(pick for age, pick in self.pick_status if END - created < age)()
        previous = self.previous.get(customer)
        if previous and rng.random() < 0.35:
            order = previous[1]  # a follow-up on the same order
        else:
            order = f"#{rng.randrange(1_000_000, 10_000_000)}"
        self.previous[customer] = (tid, order, created)
        merged_into = deleted_at = None
        is_spam = rng.random() < 0.002
        if is_spam:
            status, deleted_at = "closed", created + HOUR
        elif previous and created - previous[2] < 14 * DAY and rng.random() < 0.08:
            merged_into, status = previous[0], "closed"  # a duplicate of the last request
        team = VIP_TEAM if vip and rng.random() < 0.5 else topic.team[zh]
        assignee = (
            rng.choice(self.history.team_agents[team])
            if rng.random() < ASSIGNED.get(status, 0.97)
            else None
        )
        team_id = team + 1 if assignee or rng.random() < 0.7 else None
        worker = assignee or rng.choice(self.history.team_agents[team])
        store = 3 if zh and rng.random() < 0.5 else rng.choice((1, 1, 2))
        slots = self._slots(zh, order, self.agent_names[worker - 1], store, created)
        slots["name"] = customers.greeting[ci]
        if is_spam:
            subject = rng.choice(SPAM_ZH if zh else SPAM_EN)
        elif channel == "chat":
            subject = (
                f"在线咨询 - {customers.full_name[ci]}"
                if zh
                else (f"Chat with {customers.full_name[ci]}")
            )
        elif channel == "phone":
            subject = (
                f"来电 - {customers.full_name[ci]}"
                if zh
                else (f"Call from {customers.full_name[ci]}")
            )
        else:
            subject = rng.choice(topic.subjects[zh]).format_map(slots)
        authors = self._authors(status, channel, is_spam)
        status, offsets, solved, updated = self._timeline(status, authors, channel, created)
        self.statuses[status] += 1
        priority = self.pick_priority()
        if vip and priority in ("normal", "low"):
            priority = "high"
        kind = self.pick_type()
        batch["tickets"].append(
            (tid, subject, status, priority, kind, channel, store, customer, assignee, team_id,
             created + 3 * DAY if kind == "task" else None, created, created + updated,
             created + offsets[-1], None if solved is None else created + solved, len(authors),
             merged_into, deleted_at)
        )  # fmt: skip
        ticket = _Ticket(tid, customer, worker, topic, int(zh), channel, created, slots)
        self._messages(ticket, authors, offsets, batch["messages"])
        self._tags(tid, topic.tags, vip, batch)
        self._probe(index, ci)

    def _probe(self, index: int, ci: int) -> None:
        """The email of a customer with a few tickets, for the benchmark to search."""
        probes = self.history.probes
        email = self.customers.email[ci]
        if (
            not probes.email
            and index >= self.history.tickets // 3
            and email
            and self.customers.counts[ci] >= 3
        ):
            probes.email = email

    def _authors(self, status: str, channel: str, is_spam: bool) -> list[str]:
        """customer / agent / note per message: public messages alternate and the status says
        who wrote last (open: the customer; pending, solved: usually the agent)."""
        rng = self.rng
        if is_spam:
            return ["customer"]
        if status == "new":
            return ["customer"] * (1 if rng.random() < 0.85 else 2)
        public = 1 + int(rng.expovariate(1 / self.reply_scale[channel]))
        customer_last = status == "open" or (status in ("solved", "closed") and rng.random() < 0.15)
        if customer_last != (public % 2 == 1):
            public += 1
        authors = []
        for n in range(public):
            if n % 2 == 0:
                authors.append("customer")
                continue
            if rng.random() < NOTE_CHANCE:
                authors.append("note")
            authors.append("agent")
        if status == "on_hold":
            authors.append("note")
        return authors

    def _timeline(
        self, status: str, authors: list[str], channel: str, created: int
    ) -> tuple[str, list[int], int | None, int]:
        """Seconds after creation of each message, of solving and of the last update; squeezed
        so that nothing happens after the end of the history."""
        expo, chat = self.rng.expovariate, channel == "chat"
        offsets, t = [0], 0
        for author in authors[1:]:
            if author == "customer":
                t += int(expo(1 / 60) if chat else expo(1 / (12 * HOUR)))
            elif author == "agent":
                t += int(expo(1 / 120) if chat else expo(1 / (5 * HOUR)))
            else:
                t += int(expo(1 / 600))
            offsets.append(t)
        done = status in ("solved", "closed")
        settle = int(expo(1 / 1800)) if done and authors[-1] == "customer" else 0
        close = 4 * DAY if status == "closed" else 0
        room = max(END - created - 60, 0)
        if close and close + 60 > room:
            status, close = "solved", 0
        if offsets[-1] + settle + close > room:
            factor = max(room - close, 0) / (offsets[-1] + settle)
            offsets = [int(o * factor) for o in offsets]
            settle = int(settle * factor)
        solved = offsets[-1] + settle if done else None
        return status, offsets, solved, (offsets[-1] if solved is None else solved + close)

    def _messages(
        self, ticket: _Ticket, authors: list[str], offsets: list[int], rows: list[tuple]
    ) -> None:
        rng, slots, lang, channel = self.rng, ticket.slots, ticket.lang, ticket.channel
        framed = channel not in ("chat", "phone")
        for n, (author, offset) in enumerate(zip(authors, offsets, strict=True)):
            self.message_id += 1
            when = ticket.created + offset
            if author == "customer":
                pool = ticket.topic.openings[lang] if n == 0 else CUSTOMER_FOLLOWUPS[lang]
                body = rng.choice(pool).format_map(slots)
                if framed and n == 0:
                    body = rng.choice(CUSTOMER_FRAMES[lang]).format(body=body, name=slots["name"])
                source = None
                if channel == "email":
                    source = f"<{ticket.id}.{n}.{rng.getrandbits(32):08x}@mail.example>"
                elif channel == "chat":
                    source = f"chat:{ticket.id}:{n}"
                rows.append(
                    (self.message_id, ticket.id, "reply", "customer", ticket.customer, None, body,
                     None, channel, source, "{}", when)
                )  # fmt: skip
            elif author == "agent":
                pool = ticket.topic.answers[lang] if n <= 2 else AGENT_FOLLOWUPS[lang]
                body = rng.choice(pool).format_map(slots)
                if framed:
                    body = rng.choice(AGENT_FRAMES[lang]).format_map({**slots, "body": body})
                rows.append(
                    (self.message_id, ticket.id, "reply", "agent", None, ticket.worker, body,
                     None, channel, None, "{}", when)
                )  # fmt: skip
            else:
                body = rng.choice(NOTES[lang]).format_map(slots)
                author_id = ticket.worker if rng.random() < 0.7 else rng.randint(1, len(AGENTS))
                rows.append(
                    (self.message_id, ticket.id, "note", "agent", None, author_id, body, None,
                     "web", None, "{}", when)
                )  # fmt: skip

    def _tags(self, tid: int, topic_tags: tuple[str, ...], vip: bool, batch: "Batch") -> None:
        rng, tag_ids = self.rng, self.history.tag_ids
        names = {tag for tag in topic_tags if rng.random() < 0.9}
        if rng.random() < 0.15:
            names.add(rng.choice(EXTRA_TAGS))
        if vip:
            names.add("vip")
        batch["ticket_tags"].extend((tid, tag_ids[name]) for name in sorted(names))
