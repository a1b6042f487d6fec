"""The live chat benchmark runs end to end at a tiny scale against a real kefu process."""

from argparse import Namespace
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.chat_widget import measure, section

pytestmark = pytest.mark.slow


def test_the_benchmark_holds_the_sockets_and_measures_both_paths() -> None:
    # when it runs with 8 connections and 4 agent replies (in a thread of its own: a browser
    # test before it in this process may have left Playwright's event loop running here)
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(measure, Namespace(connections=8, rate=50.0, replies=4)).result()
    # then every message was delivered back, every reply reached its shopper, none dropped
    assert result.connections == 8 and result.lost == 0
    assert len(result.shopper_ms) == 8 and len(result.agent_ms) == 4
    assert all(ms > 0 for ms in result.shopper_ms + result.agent_ms)
    lines = section(result)
    assert lines[0] == "## Live chat widget"
    assert [line.split(" | ")[0] for line in lines if line.startswith("| shopper")] == [
        "| shopper → chat (send to entry on the socket)"
    ]
