"""Test fixtures: a fresh, migrated database per test on SQLite and PostgreSQL, the app, a
live server and a real Chromium.

Each test gets its own database copied from a template migrated once per run (a file copy on
SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so tests may commit like the app does.
"""

import itertools
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kefu.config import Settings
from kefu.db import Database
from kefu.migrate import upgrade
from kefu.runtime import Runtime, open_database, start, stop
from tests.postgres import scratch_database

POSTGRES_URL = os.environ.get("KEFU_TEST_POSTGRESQL_URL")
REDIS_URL = os.environ.get("KEFU_TEST_REDIS_URL")
CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_counter = itertools.count()


def _missing(what: str) -> None:
    message = f"{what} not set: run the suite with scripts/test"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not POSTGRES_URL:
        _missing("KEFU_TEST_POSTGRESQL_URL")
    return str(request.param)


def _migrate(url: str) -> None:
    database = open_database(url)
    try:
        upgrade(database)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def _template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to copy: a file path (SQLite) or a database name (PostgreSQL)."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "kefu.db"
        _migrate(f"sqlite:///{path}")
        yield str(path)
        return
    assert POSTGRES_URL
    name = f"kefu_tmpl_{WORKER}"
    with scratch_database(POSTGRES_URL, name) as url:
        _migrate(url)
        yield name


@pytest.fixture
def database_url(backend: str, _template: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "kefu.db"
        shutil.copyfile(_template, path)
        yield f"sqlite:///{path}"
        return
    assert POSTGRES_URL
    name = f"kefu_test_{WORKER}_{next(_counter)}"
    with scratch_database(POSTGRES_URL, name, template=_template) as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        worker_in_process=False,
        base_url="http://testserver",
    )


@pytest.fixture
def runtime(settings: Settings, database: Database) -> Iterator[Runtime]:
    rt = start(settings, database=database)
    yield rt
    stop()


@pytest.fixture
def client(settings: Settings, runtime: Runtime) -> Iterator["object"]:
    from fastapi.testclient import TestClient

    from kefu.app import create_app

    with TestClient(create_app(settings, runtime=runtime), follow_redirects=False) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings, runtime: Runtime) -> Iterator[str]:
    """kefu served by uvicorn on a loopback port, in a thread of the test process."""
    import uvicorn

    from kefu.app import Server, create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(settings, runtime=runtime), host="127.0.0.1", port=port, log_level="warning"
    )
    server = Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("kefu test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator["object"]:
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


# How long a browser test waits for one step (a click's navigation, a locator) and a test's
# HTTP client for one response: the suite's servers, PostgreSQL and Chromium share two cores
# for an hour, and in CI a step has stalled past 10-15 s now and then. A wait, never a
# measure of speed (bench/ measures that).
STEP_TIMEOUT_MS = 30000


@pytest.fixture
def page(browser: "object") -> Iterator["object"]:
    context = browser.new_context(locale="en-US")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    yield page
    context.close()


# A browser, a live server and (in CI) another test worker share two cores: live updates
# (presence, typing, chat entries) can take longer than Playwright's 5 s default to show.
EXPECT_TIMEOUT_MS = 20000


@pytest.fixture
def patient_expect() -> Iterator[None]:
    """expect() waits EXPECT_TIMEOUT_MS in a test that uses this (Playwright's default is
    5 s), and goes back to the default after."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    yield
    expect.set_options(timeout=5000)


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        _missing("KEFU_TEST_REDIS_URL")
    assert REDIS_URL
    return REDIS_URL


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def broadcast(request: pytest.FixtureRequest) -> Iterator["object"]:
    """Each broadcast backend; the Redis one on its own key space, so tests never cross."""
    from kefu.kit.broadcast import MemoryBroadcast
    from kefu.kit.broadcast_redis import RedisBroadcast

    if request.param == "memory":
        yield MemoryBroadcast()
        return
    url = request.getfixturevalue("redis_url")
    made = RedisBroadcast(url, prefix=f"kefu-test:{uuid.uuid4().hex}:")
    yield made
    made.close()
