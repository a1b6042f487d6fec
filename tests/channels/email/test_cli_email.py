"""`kefu email import`: .eml, mbox and directories, idempotent, clear errors for bad files."""

from __future__ import annotations

import mailbox
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.email_corpus import generate
from kefu.config import Settings
from kefu.db import Database
from kefu.tickets.models import Message

pytestmark = pytest.mark.slow


def kefu(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env |= {
        "KEFU_DATABASE_URL": settings.database_url,
        "KEFU_DATA_DIR": str(settings.data_dir),
        "KEFU_SECRET_KEY": str(settings.secret_key),
        "KEFU_LOG_LEVEL": "error",
    }
    return subprocess.run(
        [sys.executable, "-m", "kefu", "email", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stored(database: Database) -> int:
    with database.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(Message)) or 0)


def test_import_mbox_twice_stores_each_message_once(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    # given
    path = tmp_path / "old.mbox"
    box = mailbox.mbox(path)
    for raw in generate(120, seed=3):
        box.add(raw)
    box.close()
    # when
    first = kefu(settings, "import", str(path), "--batch", "50")
    second = kefu(settings, "import", str(path))
    # then
    assert first.returncode == 0, first.stderr
    assert "120 messages: 120 imported, 0 already in kefu" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "120 messages: 0 imported, 120 already in kefu" in second.stdout
    assert stored(database) == 120


def test_import_directory_of_eml_files(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    # given: mail files, and a file that is not mail (skipped)
    folder = tmp_path / "export"
    (folder / "2026").mkdir(parents=True)
    for number, raw in enumerate(generate(5, seed=4)):
        (folder / "2026" / f"{number}.eml").write_bytes(raw)
    (folder / "notes.txt").write_bytes(b"just some notes, not mail\n")
    # when
    result = kefu(settings, "import", str(folder))
    # then
    assert result.returncode == 0, result.stderr
    assert stored(database) == 5


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file or directory"),
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "neither an .eml message nor an mbox file"),
    ],
)
def test_bad_file_is_one_clear_line(
    database: Database, settings: Settings, tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "mail.eml"
    if content is not None:
        path.write_bytes(content)
    result = kefu(settings, "import", str(path))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and reason in lines[0], result.stderr
    assert stored(database) == 0


def test_unknown_mailbox_is_refused(database: Database, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "a.eml"
    path.write_bytes(next(generate(1)))
    result = kefu(settings, "import", str(path), "--mailbox", "999")
    assert result.returncode == 1
    assert "mailbox 999 not found" in result.stderr
