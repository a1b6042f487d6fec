"""The help-center benchmark runs end to end at a tiny scale, on each database."""

from pathlib import Path

from bench.helpcenter import measure, section
from kefu.db import Database


def test_the_benchmark_measures_search_and_the_article_page(
    database: Database, tmp_path: Path
) -> None:
    # when it runs on 30 articles with 6 requests a line
    timings = measure("db", database, tmp_path, 30, 6)
    # then every line is measured, against its baseline, and reported
    assert [t.what for t in timings] == [
        "search as you type, English prefix",
        "kb search service, English prefix",
        "search as you type, Chinese two-character term",
        "kb search service, Chinese two-character term",
        "article page",
    ]
    assert all(t.p50_ms > 0 and t.p95_ms >= t.p50_ms and t.baseline_p50_ms > 0 for t in timings)
    lines = section(timings, 30, 6)
    assert lines[0] == "## Help center" and len([x for x in lines if x.startswith("| db |")]) == 5
