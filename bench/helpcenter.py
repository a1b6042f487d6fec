"""Help-center benchmark: search-as-you-type and the article page at 10,000 published
articles (half English, half Chinese), through the real app on SQLite and PostgreSQL.

python -m bench.helpcenter [--articles 10000] [--requests 300]
Writes the "## Help center" section of docs/benchmarks.md. Baselines from the same run and
database: for search, the naive query a simple help center runs (`LIKE '%term%'` over the
published articles' titles and bodies); for the article page, the cheapest page of the same
app (`/healthz`), so the ratio is what the page itself costs."""

import argparse
import itertools
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from rich.progress import Progress
from sqlalchemy import text

from bench.harness import REPORT, fresh_database, machine, percentiles, write_section
from bench.harness import timed_calls as timed
from bench.helpcenter_data import articles
from kefu.app import create_app
from kefu.commerce import stores
from kefu.commerce.schemas import StoreCreate
from kefu.config import Settings
from kefu.db import Database
from kefu.kb import articles as kb_articles
from kefu.kb import service as kb_service
from kefu.kb.helpcenter import sites
from kefu.kb.helpcenter.schemas import SiteIn
from kefu.kb.schemas import ArticleCreate
from kefu.kit.actor import Actor
from kefu.runtime import start, stop

HEADING = "## Help center"
SYSTEM = Actor.system()
QUERIES = {
    "en": ["ref", "ship", "track", "invo", "exch", "cour", "warr", "cust"],
    "zh-CN": ["退款", "发票", "物流", "尺码", "快递", "礼品", "海关", "会员"],
}
BATCH = 250


@dataclass
class Timing:
    backend: str
    what: str
    p50_ms: float
    p95_ms: float
    baseline: str
    baseline_p50_ms: float


def fill(database: Database, count: int) -> tuple[int, list[tuple[str, str]]]:
    """A brand with its help center and `count` published articles; (store id, a sample of
    (url language, article slug))."""
    with database.unit_of_work(actor=SYSTEM) as session:
        store = stores.create_store(
            session, actor=SYSTEM, data=StoreCreate(name="Bench shop", currency="USD"), key=None
        )
        site = SiteIn(slug="bench", languages=["en", "zh-CN"])
        sites.save_site(session, actor=SYSTEM, store_id=store.id, data=site)
        store_id = store.id
    sample: list[tuple[str, str]] = []
    stride = max(1, count // 300)  # about 300 pages to visit, spread over the corpus
    generated = articles(count)
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{count:,} articles", total=count)
        while batch := list(itertools.islice(generated, BATCH)):
            with database.unit_of_work(actor=SYSTEM) as session:
                for language, title, body in batch:
                    data = ArticleCreate(
                        title=title, body=body, language=language, store_id=store_id
                    )
                    article = kb_articles.create_article(session, actor=SYSTEM, data=data)
                    kb_articles.change_state(
                        session, actor=SYSTEM, article_id=article.id, state="published"
                    )
                    if article.id % stride == 0:
                        sample.append(("en" if language == "en" else "zh-CN", article.slug))
            progress.advance(task, len(batch))
    return store_id, sample


def kb_search(database: Database, store_id: int, language: str, term: str) -> None:
    with database.sessions() as session:
        kb_service.search_articles(
            session,
            query=term,
            language="en" if language == "en" else "zh_Hans",
            store_id=store_id,
            public_only=True,
            limit=20,
        )


def naive_search(database: Database, term: str) -> None:
    with database.sessions() as session:
        session.execute(
            text(
                "SELECT id, title FROM kb_articles WHERE state = 'published' AND "
                "visibility = 'public' AND (title LIKE :p OR body LIKE :p) "
                "ORDER BY updated_at DESC LIMIT 20"
            ),
            {"p": f"%{term}%"},
        ).all()


def measure(backend: str, database: Database, workdir: Path, count: int, requests: int):
    slug = "bench"
    store_id, sample = fill(database, count)
    settings = Settings(
        data_dir=workdir / f"data-{backend}",
        database_url=str(database.engine.url.render_as_string(hide_password=False)),
        secret_key="bench-secret-key-" + "x" * 32,
        worker_in_process=False,
    )
    runtime = start(settings, database=database)
    app = create_app(settings, runtime=runtime)
    timings: list[Timing] = []
    try:
        with TestClient(app) as first:
            # visitors from many addresses, as on a real site (the per-address limit holds)
            visitors = [first] + [
                TestClient(app, client=(f"10.0.{n // 200}.{n % 200 + 1}", 50000))
                for n in range(requests // 50 + 1)
            ]

            def get(index: int, url: str, **headers: str) -> None:
                response = visitors[index // 50].get(url, headers=headers)
                assert response.status_code == 200, (url, response.status_code)

            health = timed(requests, lambda i: get(i, "/healthz"))
            health_p50 = percentiles(health)[0]
            for language, terms in QUERIES.items():
                kind = "English prefix" if language == "en" else "Chinese two-character term"
                ours = timed(
                    requests,
                    lambda i, lang=language, ts=terms: get(
                        i,
                        f"/help/{slug}/{lang}/search?q={ts[i % len(ts)]}",
                        **{"HX-Request": "true"},
                    ),
                )
                p50, p95 = percentiles(ours)
                timings.append(
                    Timing(backend, f"search as you type, {kind}", p50, p95, "/healthz",
                           health_p50)
                )  # fmt: skip
                service = timed(
                    requests, lambda i, lang=language, ts=terms: kb_search(database, store_id,
                                                                           lang, ts[i % len(ts)])
                )  # fmt: skip
                naive = timed(requests, lambda i, ts=terms: naive_search(database, ts[i % len(ts)]))
                p50, p95 = percentiles(service)
                timings.append(
                    Timing(backend, f"kb search service, {kind}", p50, p95, "naive LIKE scan",
                           percentiles(naive)[0])
                )  # fmt: skip
            pages = timed(
                requests,
                lambda i: get(i, f"/help/{slug}/{sample[i % len(sample)][0]}/articles/"
                              f"{sample[i % len(sample)][1]}"),
            )  # fmt: skip
            p50, p95 = percentiles(pages)
            timings.append(Timing(backend, "article page", p50, p95, "/healthz", health_p50))
    finally:
        stop()
    return timings


def section(timings: list[Timing], count: int, requests: int) -> list[str]:
    lines = [
        HEADING,
        "",
        f"Written by `python -m bench.helpcenter` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{machine()}, load average {os.getloadavg()[0]:.1f}. {count:,} published articles of "
        "one brand (half English, half Chinese; bench/helpcenter_data.py), made through the kb "
        f"services; {requests} requests per line through the whole app (routing, the site, "
        "the kb search service, logging the search, the template), from many visitor "
        "addresses. Search is the search-as-you-type fragment. Baselines in the same run and "
        "database: a naive `LIKE '%term%'` over titles and bodies (what a simple help center "
        "does; it also finds words inside words), and `/healthz` for the app's fixed cost.",
        "",
        "| database | request | p50 | p95 | baseline | baseline p50 | ratio (p50) |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    for t in timings:
        lines.append(
            f"| {t.backend} | {t.what} | {t.p50_ms:.1f} ms | {t.p95_ms:.1f} ms | {t.baseline} | "
            f"{t.baseline_p50_ms:.1f} ms | {t.p50_ms / t.baseline_p50_ms:.1f}× |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    options = parser.parse_args()
    postgres_url = os.environ.get("KEFU_TEST_POSTGRESQL_URL")
    backends = [options.only] if options.only else ["sqlite", "postgresql"]
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        for backend in backends:
            if backend == "postgresql" and not postgres_url:
                print("KEFU_TEST_POSTGRESQL_URL is not set: PostgreSQL skipped")
                continue
            with fresh_database(backend, workdir, postgres_url) as database:
                timings += measure(backend, database, workdir, options.articles, options.requests)
    lines = section(timings, options.articles, options.requests)
    print("\n".join(lines))
    if not options.only:
        write_section(HEADING, lines)
        print(f"wrote the help-center section of {REPORT}")


if __name__ == "__main__":
    main()
