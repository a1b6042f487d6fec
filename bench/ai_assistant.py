"""Help-center assistant benchmark: on a small hand-written help center (6 English and 6
Chinese articles, bench/ai_assistant_data.py), does retrieval answer each question with the
right article, and say "I don't know" for the questions no article covers?

python -m bench.ai_assistant
Writes the "## Help-center assistant" section of docs/benchmarks.md: answered right, answered
wrong (a wrong article, or an answer where none exists), not answered, per confidence
threshold, and the time per question (the same code path as the live assistant)."""

import os
import statistics
import tempfile
import time
from pathlib import Path

from rich.progress import track

from bench.ai_assistant_data import ARTICLES, QUESTIONS
from bench.harness import fresh_database, machine, write_section
from kefu.ai import embedding
from kefu.ai.assistant import retrieval
from kefu.commerce import stores
from kefu.commerce.schemas import StoreCreate
from kefu.db import Database
from kefu.kb import articles as kb_articles
from kefu.kb.helpcenter import sites
from kefu.kb.helpcenter.schemas import LANGUAGES, SiteIn
from kefu.kb.schemas import ArticleCreate
from kefu.kit.actor import Actor

HEADING = "## Help-center assistant"
SYSTEM = Actor.system()
THRESHOLDS = (0.30, 0.32, 0.35, 0.38, 0.40, 0.45)


def _shop(database: Database) -> None:
    with database.unit_of_work(actor=SYSTEM) as session:
        store = stores.create_store(
            session, actor=SYSTEM, data=StoreCreate(name="Lumen", currency="USD"), key="bench"
        )
        sites.save_site(session, actor=SYSTEM, store_id=store.id,
                        data=SiteIn(slug="lumen", languages=["en", "zh-CN"]))  # fmt: skip
        for language, slug, title, body in ARTICLES:
            data = ArticleCreate(
                title=title, body=body, slug=slug, language=LANGUAGES[language], store_id=store.id
            )
            made = kb_articles.create_article(session, actor=SYSTEM, data=data)
            kb_articles.change_state(session, actor=SYSTEM, article_id=made.id, state="published")


def _answers(database: Database) -> list[tuple[str | None, str | None, float, float]]:
    """(expected slug, found slug, confidence, seconds) per question."""
    rows = []
    with database.sessions() as session:
        site = sites.public_site(session, slug="lumen")
        for language, question, expected in track(QUESTIONS, description="questions"):
            started = time.perf_counter()
            found = retrieval.best_answer(session, site=site, language=language, question=question)
            seconds = time.perf_counter() - started
            rows.append(
                (expected, found.slug if found else None, found.confidence if found else 0.0,
                 seconds)
            )  # fmt: skip
    return rows


def _score(rows: list[tuple[str | None, str | None, float, float]], threshold: float) -> dict:
    right = wrong = missed = 0
    for expected, found, confidence, _seconds in rows:
        answered = found if confidence >= threshold else None
        if answered == expected or (expected is None and answered is None):
            right += 1
        elif answered is None:
            missed += 1
        else:
            wrong += 1
    return {"right": right, "wrong": wrong, "missed": missed}


def main() -> None:
    embedding.load()
    with (
        tempfile.TemporaryDirectory() as workdir,
        fresh_database("sqlite", Path(workdir), None) as database,
    ):
        _shop(database)
        _answers(database)  # warm up: the first embedding calls pay for caches
        rows = _answers(database)
    load = os.getloadavg()[0]
    answerable = sum(1 for _l, _q, e in QUESTIONS if e is not None)
    times = sorted(r[3] * 1000 for r in rows)
    lines = [
        HEADING,
        "",
        f"`python -m bench.ai_assistant` on {machine()}; load average {load:.1f} during the run.",
        f"{len(QUESTIONS)} questions ({answerable} that one of the 12 articles answers, "
        f"{len(QUESTIONS) - answerable} that none covers), English and Chinese "
        '(bench/ai_assistant_data.py). *Right*: the expected article, or "I don\'t know" '
        "where none covers the question; *wrong*: another article, or an answer where none "
        'exists (the mistake the assistant must not make); *missed*: "I don\'t know" for an '
        "answerable question (a hand-over an article could have saved).",
        "",
        "| threshold | right | wrong | missed |",
        "|---|---|---|---|",
    ]
    for threshold in THRESHOLDS:
        score = _score(rows, threshold)
        mark = " (shipped)" if threshold == retrieval.THRESHOLD else ""
        lines.append(
            f"| {threshold:.2f}{mark} | {score['right']} | {score['wrong']} | {score['missed']} |"
        )
    lines += [
        "",
        f"Time per question (search, passages, embedding): p50 {statistics.median(times):.0f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.0f} ms.",
        "",
        "| question | expected | found | confidence |",
        "|---|---|---|---|",
    ]
    for (_language, question, expected), (_e, found, confidence, _s) in zip(
        QUESTIONS, rows, strict=True
    ):
        lines.append(f"| {question} | {expected or '—'} | {found or '—'} | {confidence:.2f} |")
    write_section(HEADING, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
