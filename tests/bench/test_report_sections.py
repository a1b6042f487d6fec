"""docs/benchmarks.md is written by several commands: each replaces only its own section."""

from pathlib import Path

import pytest

from bench import harness


def test_a_section_is_replaced_and_the_others_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text(
        "# Benchmarks\n\nintro\n\n## Inbox\nold inbox\n\n## Reply stripping\nold replies\n"
    )
    monkeypatch.setattr(harness, "REPORT", report)
    harness.write_section("## Reply stripping", ["## Reply stripping", "", "new replies"])
    harness.write_section("## Email ingest", ["## Email ingest", "", "ingest figures"])
    assert report.read_text() == (
        "# Benchmarks\n\nintro\n\n## Inbox\nold inbox\n\n## Reply stripping\n\nnew replies\n\n"
        "## Email ingest\n\ningest figures\n"
    )
    assert harness.kept_sections() == (
        "## Email ingest\n\ningest figures\n\n## Reply stripping\n\nnew replies\n\n"
    )
