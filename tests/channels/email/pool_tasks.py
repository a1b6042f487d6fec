"""Tasks for the ingest pool's tests: module-level, so the pool's processes can run them."""

import os
from collections.abc import Sequence


def squares_or_die(parent_pid: int, chunk: Sequence[int]) -> list[int]:
    """Squares; a pool process given 13 dies on the spot (a killed worker)."""
    if 13 in chunk and os.getpid() != parent_pid:
        os._exit(1)
    return [n * n for n in chunk]


def pids(chunk: Sequence[int]) -> list[int]:
    """Which process prepared each item."""
    return [os.getpid() for _ in chunk]
