"""`kefu workforce staffing`: the issue's interval as JSON and as a table; bad input is one
line and exit code 2."""

import json
import math

import pytest
from typer.testing import CliRunner

from kefu.cli import app

ISSUE_ARGS = [
    "workforce", "staffing", "--volume", "100", "--interval-minutes", "30",
    "--aht-seconds", "180", "--service-level", "0.8", "--answer-within-seconds", "20",
    "--max-occupancy", "0.85", "--shrinkage", "0.3",
]  # fmt: skip
FIELDS = [
    "model", "offered_load_erlangs", "raw_agents", "scheduled_agents", "service_level",
    "occupancy", "wait_probability", "asa_seconds", "abandon_rate",
]  # fmt: skip


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_json_has_exactly_the_documented_fields() -> None:
    # when
    result = run(*ISSUE_ARGS, "--json")
    # then
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert list(printed) == FIELDS
    assert printed == {
        "model": "erlang_c",
        "offered_load_erlangs": 10.0,
        "raw_agents": 14,
        "scheduled_agents": 20,
        "service_level": 0.8884,
        "occupancy": 0.7143,
        "wait_probability": 0.1741,
        "asa_seconds": 7.84,
        "abandon_rate": None,
    }


def test_patience_switches_to_erlang_a_with_an_abandon_rate() -> None:
    printed = json.loads(run(*ISSUE_ARGS, "--patience-seconds", "300", "--json").stdout)
    assert printed["model"] == "erlang_a"
    assert (printed["raw_agents"], printed["scheduled_agents"]) == (13, 19)
    assert printed["abandon_rate"] == 0.025


def test_occupancy_cap_of_70_percent() -> None:
    args = [a if a != "0.85" else "0.70" for a in ISSUE_ARGS]
    printed = json.loads(run(*args, "--json").stdout)
    assert (printed["raw_agents"], printed["scheduled_agents"]) == (15, 22)


def test_asa_target_replaces_the_service_level() -> None:
    printed = json.loads(run(*ISSUE_ARGS, "--asa-target-seconds", "30", "--json").stdout)
    # 13 agents answer in 17.1 s on average, below 30 s, though only 79.6 % within 20 s
    assert printed["raw_agents"] == 13
    assert printed["service_level"] == 0.7956


def test_chat_concurrency() -> None:
    printed = json.loads(run(*ISSUE_ARGS, "--concurrency", "2", "--json").stdout)
    assert printed["raw_agents"] == 7  # 14 servers of 2 chats each


def test_table_is_readable() -> None:
    result = run(*ISSUE_ARGS, "--patience-seconds", "300")
    assert result.exit_code == 0
    assert "Agents on the floor" in result.stdout
    assert "Agents to schedule" in result.stdout
    assert "answered within 20 s" in result.stdout
    assert "Abandonment" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--service-level", "1.5"], "service level must be between 0 and 1"),
        (["--shrinkage", "1"], "shrinkage must be at least 0 and less than 1"),
        (["--concurrency", "0"], "concurrency must be a whole number"),
        (["--aht-seconds", "-3"], "average handle time must be more than 0"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args: list[str], message: str) -> None:
    result = run(*ISSUE_ARGS, *args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_word_for_a_number_is_a_usage_error() -> None:
    result = run("workforce", "staffing", "--volume", "many", "--aht-seconds", "180")
    assert result.exit_code == 2
    assert "--volume" in result.stderr


def test_json_never_prints_infinity() -> None:
    from kefu.workforce.staffing.cli import as_json_fields
    from kefu.workforce.staffing.erlang import Staffing

    overloaded = Staffing("erlang_a", 10.0, 1, 2, 0.0, 1.0, 1.0, math.inf, 0.9)
    assert as_json_fields(overloaded)["asa_seconds"] is None
