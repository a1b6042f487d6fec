"""Start kefu server processes (`kefu serve`) on loopback ports for tests and the bench:
one database, one data directory, optionally one Redis between them."""

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx

from tests.conftest import free_port


def kefu_env(
    *, database_url: str, data_dir: Path, secret_key: str, redis_url: str | None, port: int
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env |= {
        "KEFU_DATABASE_URL": database_url,
        "KEFU_DATA_DIR": str(data_dir),
        "KEFU_SECRET_KEY": secret_key,
        "KEFU_BASE_URL": f"http://127.0.0.1:{port}",
        "KEFU_LOG_LEVEL": "warning",
    }
    if redis_url:
        env["KEFU_REDIS_URL"] = redis_url
    return env


def wait_up(base: str, process: subprocess.Popen[bytes], *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _out, err = process.communicate()
            raise RuntimeError(f"kefu exited with {process.returncode}: {err.decode()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"kefu at {base} did not come up within {seconds} s")


def start_kefu(
    *, database_url: str, data_dir: Path, secret_key: str, redis_url: str | None, port: int = 0
) -> tuple[str, subprocess.Popen[bytes]]:
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kefu", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=kefu_env(
            database_url=database_url,
            data_dir=data_dir,
            secret_key=secret_key,
            redis_url=redis_url,
            port=port,
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base, process)
    except BaseException:
        stop_kefu(process)
        raise
    return base, process


def stop_kefu(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def kefu_servers(count: int, **options: object) -> Iterator[list[str]]:
    started: list[subprocess.Popen[bytes]] = []
    bases = []
    try:
        for _ in range(count):
            base, process = start_kefu(**options)  # type: ignore[arg-type]
            started.append(process)
            bases.append(base)
        yield bases
    finally:
        for process in started:
            stop_kefu(process)
