"""The kefu command: bad configuration stops with one clear line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import kefu

KEFU = [sys.executable, "-m", "kefu"]


def run_kefu(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    return subprocess.run(
        [*KEFU, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.slow
def test_malformed_toml_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "kefu.toml").write_text('port = 8000\nbase_url = "http://x\n')
    result = run_kefu("serve", cwd=tmp_path)
    assert result.returncode == 2
    line = one_clear_line(result)
    assert "kefu.toml: malformed TOML" in line and "line 2" in line


@pytest.mark.slow
@pytest.mark.parametrize("port", ["99999", "abc", "0"])
def test_bad_port_is_one_line(tmp_path: Path, port: str) -> None:
    result = run_kefu("serve", "--port", port, cwd=tmp_path, env={"KEFU_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "invalid setting port (KEFU_PORT)" in one_clear_line(result)


@pytest.mark.slow
def test_bad_port_in_toml_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "kefu.toml").write_text('port = "eighty"\n')
    result = run_kefu("serve", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid setting port" in one_clear_line(result)


@pytest.mark.slow
@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://kefu:secret@127.0.0.1:1/kefu",
        "mysql://nobody@127.0.0.1/kefu",
        "not a url",
    ],
)
def test_unreachable_or_bad_database_url_is_one_line(tmp_path: Path, url: str) -> None:
    result = run_kefu("serve", cwd=tmp_path, env={"KEFU_DATABASE_URL": url})
    assert result.returncode == 2
    line = one_clear_line(result)
    assert "database" in line.lower() or "KEFU_DATABASE_URL" in line
    assert "secret" not in line


@pytest.mark.slow
def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run_kefu(
            "serve", "--port", port, cwd=tmp_path, env={"KEFU_DATA_DIR": str(tmp_path)}
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in one_clear_line(result)


@pytest.mark.slow
def test_unknown_time_zone_is_one_line(tmp_path: Path) -> None:
    result = run_kefu("db", "upgrade", cwd=tmp_path, env={"KEFU_TIME_ZONE": "Mars/Olympus"})
    assert result.returncode == 2
    assert "unknown time zone" in one_clear_line(result)


@pytest.mark.slow
def test_db_upgrade_demo_and_admin_create(tmp_path: Path, database_url: str) -> None:
    env = {"KEFU_DATA_DIR": str(tmp_path / "data"), "KEFU_DATABASE_URL": database_url}
    assert "up to date" in run_kefu("db", "upgrade", cwd=tmp_path, env=env).stdout
    demo = run_kefu("demo", cwd=tmp_path, env=env, timeout=240)
    assert demo.returncode == 0, demo.stderr
    assert "admin@example.com / demo-password" in demo.stdout
    again = run_kefu("demo", cwd=tmp_path, env=env)
    assert again.returncode == 1
    assert "already has data" in one_clear_line(again)
    boss = (
        "admin",
        "create",
        "--email",
        "boss@example.com",
        "--name",
        "Boss",
        "--password",
        "a long password",
    )
    created = run_kefu(*boss, cwd=tmp_path, env=env)
    assert created.returncode == 0, created.stderr
    dup = run_kefu(*boss, cwd=tmp_path, env=env)
    assert dup.returncode == 1 and "already exists" in one_clear_line(dup)
    short = run_kefu(
        "admin",
        "create",
        "--email",
        "x@example.com",
        "--name",
        "X",
        "--password",
        "short",
        cwd=tmp_path,
        env=env,
    )
    assert short.returncode == 1 and "10 characters" in one_clear_line(short)


@pytest.mark.slow
def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    from kefu.config import load_settings, secret_key

    settings = load_settings(data_dir=tmp_path)
    first = secret_key(settings)
    again = secret_key(load_settings(data_dir=tmp_path))
    assert first == again and len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.slow
def test_worker_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    env = {
        "KEFU_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        "KEFU_DATA_DIR": str(tmp_path),
    }
    result = run_kefu("worker", cwd=tmp_path, env=env)
    assert result.returncode == 2
    revisions = len(list((Path(kefu.__file__).parent / "migrations" / "versions").glob("0*.py")))
    assert f"needs {revisions} migration(s): run `kefu db upgrade`" in one_clear_line(result)


@pytest.mark.slow
def test_events_failed_and_retry_commands(tmp_path: Path, database_url: str) -> None:
    env = {"KEFU_DATA_DIR": str(tmp_path / "data"), "KEFU_DATABASE_URL": database_url}
    listed = run_kefu("events", "failed", cwd=tmp_path, env=env)
    assert listed.returncode == 0 and "No failed event deliveries." in listed.stdout
    retried = run_kefu("events", "retry", "12345", cwd=tmp_path, env=env)
    assert retried.returncode == 1
    assert "0 of 1 deliveries were failed" in one_clear_line(retried)
