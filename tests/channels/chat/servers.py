"""Servers for the chat's end-to-end tests: kefu itself in a child process (`kefu serve`, so a
test can stop it and start it again on the same port and data) and a pretend store on another
loopback origin serving a folder, like a shop that embeds the widget."""

from __future__ import annotations

import contextlib
import functools
import http.client
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from kefu.config import Settings
from tests.conftest import free_port

START_SECONDS = 60
STOP_SECONDS = 60


class KefuProcess:
    """`python -m kefu serve` on a fixed port, with the test's database and data folder."""

    def __init__(self, settings: Settings, *, port: int | None = None, **env: str) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(settings.data_dir) / f"kefu-{self.port}.log"

    def start(self) -> None:
        Path(self.settings.data_dir).mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
        env |= {
            "KEFU_DATABASE_URL": self.settings.database_url,
            "KEFU_DATA_DIR": str(self.settings.data_dir),
            "KEFU_SECRET_KEY": str(self.settings.secret_key),
            "KEFU_BASE_URL": self.url,
            "KEFU_LOG_LEVEL": "warning",
            "KEFU_WORKER_THREADS": "1",
            "PYTHONFAULTHANDLER": "1",  # SIGABRT writes every thread's stack to the log
            **self.env,
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kefu", "serve", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"kefu did not start:\n{self.output()}")
            time.sleep(0.1)

    def _healthy(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        """SIGTERM, as a service manager stops kefu; waits until the process is gone."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)  # the stacks of what holds it up
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            message = f"kefu did not stop within {STOP_SECONDS} s:\n{self.output()}"
            raise RuntimeError(message) from None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-20000:]


@contextlib.contextmanager
def kefu_process(settings: Settings, **env: str) -> Iterator[KefuProcess]:
    server = KefuProcess(settings, **env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def store_site(folder: Path) -> Iterator[str]:
    """`folder` served over HTTP on another loopback port: the store's own origin."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
