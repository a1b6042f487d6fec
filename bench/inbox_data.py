"""The inbox benchmark's data: a seeded store history of customers, tickets and messages.

Rows are plain tuples in `COLUMNS` order, with times as epoch seconds (the loader turns them
into what each database stores). The same seed and scale give the same rows, so figures
from two runs describe the same data."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from bench.inbox_people import Customers
from bench.inbox_templates import TOPICS
from bench.inbox_tickets import TicketWriter
from bench.inbox_words import (
    AGENTS,
    DAY,
    EXTRA_TAGS,
    SPAN,
    START,
    TEAMS,
    FastRandom,
    weighted,
)

MAX_TICKETS_PER_CUSTOMER = 60
CHUNK = 5_000  # tickets per batch

COLUMNS: dict[str, tuple[str, ...]] = {
    "teams": ("id", "name", "description", "created_at"),
    "agents": (
        "id", "name", "email", "password_hash", "role", "is_active", "language", "time_zone",
        "created_at", "updated_at",
    ),
    "team_memberships": ("team_id", "agent_id"),
    "tags": ("id", "name"),
    "customers": (
        "id", "name", "language", "time_zone", "tags", "notes", "is_vip", "merged_into_id",
        "created_at", "updated_at",
    ),
    "customer_identities": (
        "id", "customer_id", "kind", "value", "is_primary", "details", "created_at",
    ),
    "tickets": (
        "id", "subject", "status", "priority", "type", "channel", "store_id", "requester_id",
        "assignee_id", "team_id", "due_at", "created_at", "updated_at", "last_message_at",
        "solved_at", "message_count", "merged_into_id", "deleted_at",
    ),
    "messages": (
        "id", "ticket_id", "kind", "author_type", "author_customer_id", "author_agent_id",
        "body_text", "body_html", "channel", "source_id", "details", "created_at",
    ),
    "ticket_tags": ("ticket_id", "tag_id"),
}  # fmt: skip
# Positions of the time columns (epoch seconds in the rows).
TIMES = {
    table: tuple(i for i, name in enumerate(cols) if name.endswith("_at"))
    for table, cols in COLUMNS.items()
}

Row = tuple[object, ...]
Batch = dict[str, list[Row]]


@dataclass
class Probes:
    """Values the searches look for, taken from the generated data, and what was made."""

    email: str = ""
    statuses: dict[str, int] = field(default_factory=dict)
    customers: int = 0
    messages: int = 0


class StoreHistory:
    """Generates the rows of `tickets` tickets; iterate `batches()` once."""

    def __init__(self, tickets: int, seed: int = 20261123) -> None:
        self.tickets = tickets
        self.rng = FastRandom(seed)
        self.probes = Probes()
        topic_tags = dict.fromkeys(tag for topic in TOPICS for tag in topic.tags)
        self.tag_ids = {name: n for n, name in enumerate([*topic_tags, *EXTRA_TAGS], start=1)}
        self.team_agents: list[list[int]] = [[] for _ in TEAMS]
        for agent_id, (_, team) in enumerate(AGENTS, start=1):
            self.team_agents[team].append(agent_id)

    def batches(self) -> Iterator[tuple[str, Batch, int]]:
        """(phase, rows, tickets in this batch): the staff, the customers, then the tickets."""
        yield "staff", self._staff(), 0
        requesters, first_seen, counts = self._requesters()
        customers = Customers(self.rng, first_seen, counts)
        for rows in customers.batches():
            yield "customers", rows, 0
        writer = TicketWriter(self, customers, requesters)
        for start in range(0, self.tickets, CHUNK):
            stop = min(start + CHUNK, self.tickets)
            yield "tickets", writer.rows(start, stop), stop - start
        self.probes.statuses = dict(writer.statuses)
        self.probes.customers = len(first_seen)
        self.probes.messages = writer.message_id

    def _staff(self) -> Batch:
        when = START - 60 * DAY
        teams: list[Row] = [(n, name, text, when) for n, (name, text) in enumerate(TEAMS, 1)]
        agents: list[Row] = []
        members: list[Row] = []
        leads = {agents_of_team[0] for agents_of_team in self.team_agents}
        for n, (name, team) in enumerate(AGENTS, start=1):
            zh = not name.isascii()
            role = "admin" if n == 1 else "manager" if n in leads else "agent"
            agents.append(
                (n, name, f"agent{n}@support.example", None, role, True,
                 "zh_Hans" if zh else "en", "Asia/Shanghai" if zh else "America/New_York",
                 when, when)
            )  # fmt: skip
            members.append((team + 1, n))
        tags: list[Row] = [(n, name) for name, n in self.tag_ids.items()]
        return {"teams": teams, "agents": agents, "team_memberships": members, "tags": tags}

    def _requesters(self) -> tuple[list[int], list[int], list[int]]:
        """Who opened each ticket: counts per customer follow a power law (most write once,
        a few dozens of times), spread over the two years; customer ids follow their first
        ticket. Also returns each customer's first ticket time and ticket count."""
        rng, n = self.rng, self.tickets
        count_of = weighted(rng, [(k, k**-2.4) for k in range(1, MAX_TICKETS_PER_CUSTOMER + 1)])
        owners: list[int] = []
        customer = 0
        while len(owners) < n:
            owners.extend([customer] * count_of())
            customer += 1
        del owners[n:]
        rng.shuffle(owners)
        relabel: dict[int, int] = {}
        requesters = [relabel.setdefault(c, len(relabel) + 1) for c in owners]
        # Volume grows over the two years like a young store's; ids follow creation time.
        self.times = [START + int(SPAN * ((i + rng.random()) / n) ** 0.75) for i in range(n)]
        first_seen = [0] * len(relabel)
        counts = [0] * len(relabel)
        for i, c in enumerate(requesters):
            if counts[c - 1] == 0:
                first_seen[c - 1] = self.times[i]
            counts[c - 1] += 1
        return requesters, first_seen, counts
