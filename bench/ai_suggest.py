"""Suggested-replies benchmark: how fast the suggestions panel answers on a large database.

python -m bench.ai_suggest [--tickets 40000] [--samples 60] [--only sqlite|postgresql]
Uses the inbox benchmark's generated store history (bench/inbox_dataset.py: realistic English
and Chinese conversations, most of them solved) in its own database, adds 40 macros and 20
published articles in a transaction that is rolled back, and times `kefu.ai.suggest.service.
suggest` — the same call the panel makes — for open tickets with a customer message:

- first open: the ticket's candidate conversations not yet embedded in this process (macros
  and articles are, after the first ticket: they are the same for every ticket);
- repeat open: the same tickets again, every embedding known;
- searches only: the full-text part alone (candidate tickets, their threads, macros, articles).

Writes the "## Suggested replies" section of docs/benchmarks.md (with the load average)."""

import argparse
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import func, select

from bench.harness import REPORT, machine, percentiles, write_section
from bench.inbox_dataset import inbox_database
from kefu.accounts.models import Agent
from kefu.ai import embedding
from kefu.ai.suggest import ranking, service, sources
from kefu.automation.macros import service as macros
from kefu.automation.macros.schemas import MacroCreate
from kefu.kb import articles as kb_articles
from kefu.kb.schemas import ArticleCreate
from kefu.kit.actor import Actor
from kefu.tickets.models import Message, Ticket

HEADING = "## Suggested replies"
NOW = datetime.now(UTC)
SYSTEM = Actor.system()
ROOT = Path(__file__).resolve().parent.parent
TOPICS = [
    ("Where is my order", "Your order {{ order.number }} is on its way: {{ order.tracking_url }}"),
    ("Refund status", "Your refund was issued; it reaches your card in 5 to 10 days."),
    ("Cancel an order", "I have cancelled order {{ order.number }}; you will not be charged."),
    ("Change the address", "I have changed the delivery address of order {{ order.number }}."),
    ("Wrong size", "Sorry about the size! You can exchange it for free within 30 days."),
    ("Damaged item", "Sorry it arrived damaged: please send a photo and I will replace it."),
    ("Invoice", "Here is the invoice for order {{ order.number }}."),
    ("Discount code", "Your discount code works at checkout; it cannot be added afterwards."),
    ("退款进度", "您的退款已经处理，预计 3 到 5 个工作日到账。"),
    ("物流查询", "您的订单 {{ order.number }} 已发货，快递单号 {{ order.tracking_number }}。"),
]
ARTICLES = [
    ("Shipping times", "We ship within 2 business days. Delivery takes 3 to 5 working days."),
    ("Refunds and returns", "Return unworn items within 30 days for a full refund."),
    ("Changing an order", "Orders can be changed until they ship. Write to us quickly."),
    ("Sizes", "Our size chart is on every product page. Exchanges are free."),
    ("Payment methods", "We accept cards, PayPal, Alipay and WeChat Pay."),
    ("如何申请退款", "收到商品后三十天内可以申请退货退款。"),
    ("发票", "电子发票会在发货后发送到您的邮箱。"),
]


def _catalogue(session) -> None:
    for n in range(4):
        for name, body in TOPICS:
            data = MacroCreate(name=f"{name} ({n + 1})", bodies={"en": body})
            macros.create_macro(session, actor=SYSTEM, data=data)
    for n in range(3):
        for title, body in ARTICLES:
            language = "zh_Hans" if not title.isascii() else "en"
            made = kb_articles.create_article(
                session,
                actor=SYSTEM,
                data=ArticleCreate(
                    title=f"{title} {n + 1}",
                    body=body,
                    language=language,
                    slug=f"a-{n}-{len(title)}-{hash(title) % 9999}",
                ),
            )
            kb_articles.change_state(session, actor=SYSTEM, article_id=made.id, state="published")


def _open_tickets(session, count: int) -> list[int]:
    asked = select(Message.ticket_id).where(Message.author_type == "customer")
    return list(
        session.scalars(
            select(Ticket.id)
            .where(Ticket.status.in_(["open", "new"]), Ticket.id.in_(asked))
            .order_by(Ticket.id.desc())
            .limit(count)
        )
    )


def measure(backend: str, tickets: int, samples: int, progress: Progress) -> dict[str, object]:
    postgres_url = os.environ.get("KEFU_TEST_POSTGRESQL_URL")
    bench_dir = Path(os.environ.get("KEFU_BENCH_DIR", ROOT / ".bench"))
    with inbox_database(
        backend,
        tickets=tickets,
        bench_dir=bench_dir,
        postgres_url=postgres_url,
        progress=progress,
        name=f"kefu_suggest_{tickets}",
    ) as data:
        database = data.database
        with database.sessions() as session:
            solved = session.scalar(
                select(func.count(Ticket.id)).where(Ticket.status.in_(["solved", "closed"]))
            )
            agent = session.scalars(select(Agent).where(Agent.role == "agent")).first()
            actor = Actor(kind="agent", name=agent.name, agent_id=agent.id, role=agent.role)
            _catalogue(session)
            session.flush()
            chosen = _open_tickets(session, samples + 1)
            ranking._cache.clear()
            begin = time.perf_counter()
            service.suggest(session, actor=actor, ticket_id=chosen[0], base_url="", now=NOW)
            warm_up = time.perf_counter() - begin
            task = progress.add_task(f"suggestions ({backend})", total=3 * samples)
            timings: dict[str, list[float]] = {"first": [], "repeat": [], "search": []}
            counts = []
            for kind in ("first", "repeat"):
                for ticket_id in chosen[1:]:
                    begin = time.perf_counter()
                    found = service.suggest(
                        session, actor=actor, ticket_id=ticket_id, base_url="", now=NOW
                    )
                    timings[kind].append(time.perf_counter() - begin)
                    counts.append(len(found))
                    progress.advance(task)
            for ticket_id in chosen[1:]:
                ticket = session.get(Ticket, ticket_id)
                begin = time.perf_counter()
                asked = ranking.words(service.question_of(session, ticket))
                sources.solved_answers(session, actor=actor, ticket=ticket, asked=asked)
                sources.matching_macros(session, actor=actor, asked=asked, language="en")
                sources.matching_articles(
                    session, actor=actor, ticket=ticket, asked=asked, language="en", base_url=""
                )
                timings["search"].append(time.perf_counter() - begin)
                progress.advance(task)
            session.rollback()
        return {
            "backend": backend,
            "solved": solved,
            "warm_up": warm_up,
            "timings": timings,
            "shown": sum(counts) / len(counts),
            "load": os.getloadavg(),
        }


def section(results: list[dict[str, object]], tickets: int, samples: int) -> list[str]:
    lines = [
        HEADING,
        "",
        f"`python -m bench.ai_suggest --tickets {tickets} --samples {samples}` on {machine()}. "
        "The inbox benchmark's store history, 40 macros and 21 published articles; "
        f"{samples} open tickets, each asked once with nothing of its own embedded yet "
        "(*first open*), then again (*repeat open*: every embedding known in the process); "
        "*searches only* is the full-text part alone (up to 6 words × 20 solved tickets, "
        "10 threads read, 40 macros, 4 articles). Milliseconds per ticket.",
        "",
        "| database | solved tickets | first open p50 / p95 | repeat open p50 / p95 | "
        "searches only p50 / p95 | first ticket (macros and articles embedded) | "
        "suggestions shown | load average (1/5/15 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        timings = r["timings"]
        cells = [
            f"{p50:.0f} / {p95:.0f}"
            for p50, p95 in (percentiles(timings[k]) for k in ("first", "repeat", "search"))
        ]
        load = " / ".join(f"{x:.1f}" for x in r["load"])
        lines.append(
            f"| {r['backend']} | {r['solved']:,} | {' | '.join(cells)} | "
            f"{r['warm_up'] * 1000:.0f} | {r['shown']:.1f} | {load} |"
        )
    lines += [
        "",
        "All figures are taken on a machine shared by several test and benchmark runs (see the "
        "load average): compare the columns with each other. *Repeat open* minus *searches "
        "only* is what filling in and recording the suggestions costs; *first open* minus "
        "*repeat open* is the embedding of the ticket's candidate conversations.",
    ]
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=40_000)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    options = parser.parse_args()
    backends = [options.only] if options.only else ["sqlite", "postgresql"]
    embedding.load()
    results = []
    with Progress() as progress:
        for backend in backends:
            if backend == "postgresql" and not os.environ.get("KEFU_TEST_POSTGRESQL_URL"):
                print("KEFU_TEST_POSTGRESQL_URL is not set: PostgreSQL skipped")
                continue
            results.append(measure(backend, options.tickets, options.samples, progress))
    lines = section(results, options.tickets, options.samples)
    print("\n".join(lines))
    if not options.only and len(results) == 2:
        write_section(HEADING, lines)
        print(f"wrote the suggested-replies section of {REPORT}")


if __name__ == "__main__":
    main()
