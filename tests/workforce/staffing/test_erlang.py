"""Erlang B, C and A reproduce published vectors and stay finite at thousands of agents."""

import math

import pytest

from kefu.errors import InvalidInput
from kefu.workforce.staffing.erlang import (
    after_shrinkage,
    asa,
    erlang_a,
    erlang_b,
    erlang_c,
    service_level,
    staff_interval,
)

ISSUE_INTERVAL = {
    "volume": 100,
    "interval_minutes": 30,
    "aht_seconds": 180,
    "service_level": 0.8,
    "answer_within_seconds": 20,
    "max_occupancy": 0.85,
    "shrinkage": 0.3,
}


def test_erlang_b_at_one_erlang() -> None:
    assert erlang_b(1, 1.0) == 0.5
    assert erlang_b(2, 1.0) == pytest.approx(0.2, abs=1e-15)


@pytest.mark.parametrize(
    ("agents", "expected"),
    [(11, 0.6821), (12, 0.4494), (13, 0.2853), (14, 0.1741), (15, 0.1020), (16, 0.0573)],
)
def test_wait_probability_at_ten_erlangs(agents: int, expected: float) -> None:
    assert round(erlang_c(agents, 10.0), 4) == expected


def test_issue_interval_needs_14_on_the_floor_and_20_scheduled() -> None:
    # when
    staffing = staff_interval(**ISSUE_INTERVAL)
    # then
    assert staffing.model == "erlang_c"
    assert staffing.offered_load_erlangs == 10.0
    assert (staffing.raw_agents, staffing.scheduled_agents) == (14, 20)
    assert round(staffing.service_level, 3) == 0.888
    assert round(staffing.occupancy, 3) == 0.714
    assert round(staffing.wait_probability, 3) == 0.174
    assert round(staffing.asa_seconds, 2) == 7.84
    assert staffing.abandon_rate is None


def test_occupancy_cap_of_70_percent_needs_15_and_22() -> None:
    staffing = staff_interval(**{**ISSUE_INTERVAL, "max_occupancy": 0.70})
    assert (staffing.raw_agents, staffing.scheduled_agents) == (15, 22)
    assert staffing.occupancy <= 0.70


def test_shrinkage_is_rounded_without_float_error() -> None:
    # 21 / 0.7 is 30.000000000000004 in floating point; 14 / 0.7 is 20.000000000000004
    assert after_shrinkage(21, 0.3) == 30
    assert after_shrinkage(14, 0.3) == 20
    assert after_shrinkage(10, 0.0) == 10


def test_occupancy_cap_at_an_exact_boundary_is_not_rounded_up() -> None:
    # 8.5 Erlangs at 85 % is exactly 10 agents (float division says 10.000000000000002)
    staffing = staff_interval(
        **{**ISSUE_INTERVAL, "volume": 85, "service_level": 0.01, "shrinkage": 0.0}
    )
    assert staffing.offered_load_erlangs == 8.5
    assert staffing.raw_agents == 10
    assert staffing.occupancy == 0.85


def test_asa_target_replaces_the_service_level() -> None:
    # given the same interval with an 8-second ASA target and no service-level target
    staffing = staff_interval(**{**ISSUE_INTERVAL, "service_level": None, "asa_target_seconds": 8})
    # then 14 agents answer in 7.84 s on average (13 would take 17.1 s)
    assert staffing.raw_agents == 14
    assert staffing.asa_seconds <= 8
    assert asa(13, 10.0, 180) > 8


def test_search_starts_above_the_load_even_when_the_target_is_tiny() -> None:
    staffing = staff_interval(**{**ISSUE_INTERVAL, "service_level": 0.01, "max_occupancy": 1})
    assert staffing.raw_agents == 11


def test_chat_concurrency_counts_each_agent_as_several_servers() -> None:
    # given 100 chats of 6 minutes in 30 minutes (20 Erlangs), 2 chats per agent
    staffing = staff_interval(
        **{**ISSUE_INTERVAL, "aht_seconds": 360, "max_occupancy": 1, "concurrency": 2}
    )
    # then the Erlang C answer for 20 Erlangs (26 servers) is split over 13 agents
    servers = next(n for n in range(21, 60) if service_level(n, 20.0, 360, 20) >= 0.8)
    assert staffing.raw_agents == math.ceil(servers / 2)
    assert staffing.raw_agents * 2 >= servers


def test_no_contacts_needs_no_agents() -> None:
    staffing = staff_interval(**{**ISSUE_INTERVAL, "volume": 0})
    assert (staffing.raw_agents, staffing.scheduled_agents) == (0, 0)
    assert staffing.service_level == 1.0


def test_five_thousand_erlangs_stay_finite() -> None:
    # when 100,000 contacts of 90 s arrive in 30 minutes (5,000 Erlangs)
    staffing = staff_interval(**{**ISSUE_INTERVAL, "volume": 100_000, "aht_seconds": 90})
    # then the occupancy cap decides (5,000 / 0.85), and every figure is a real number
    assert staffing.offered_load_erlangs == 5000.0
    assert staffing.raw_agents == math.ceil(5000 / 0.85)
    assert staffing.scheduled_agents == math.ceil(staffing.raw_agents / 0.7 - 1e-9)
    for value in (staffing.service_level, staffing.wait_probability, staffing.asa_seconds):
        assert math.isfinite(value)
    assert 0 < erlang_b(5000, 5000.0) < 1
    assert 0 < erlang_c(5050, 5000.0) < 1
    assert 0 < service_level(5050, 5000.0, 90, 20) < 1


def test_five_thousand_erlangs_with_abandonment_stay_finite() -> None:
    overloaded = erlang_a(3000, 5000.0, 180, 300, 20)
    assert overloaded.wait_probability == pytest.approx(1.0)
    assert overloaded.abandon_rate == pytest.approx(0.4, abs=1e-6)  # 3000 of 5000 served
    assert math.isfinite(overloaded.asa_seconds)
    staffed = erlang_a(5050, 5000.0, 180, 300, 20)
    assert 0 < staffed.abandon_rate < staffed.wait_probability < 1


@pytest.mark.parametrize("agents", [11, 12, 13, 14, 15, 16])
def test_erlang_a_with_very_large_patience_equals_erlang_c(agents: int) -> None:
    result = erlang_a(agents, 10.0, 180, 1e9, 20)
    assert result.wait_probability == pytest.approx(erlang_c(agents, 10.0), abs=1e-4)
    assert result.service_level == pytest.approx(service_level(agents, 10.0, 180, 20), abs=1e-4)
    assert result.asa_seconds == pytest.approx(asa(agents, 10.0, 180), rel=1e-4)
    assert result.abandon_rate == pytest.approx(0.0, abs=1e-4)


def test_erlang_a_with_patience_needs_fewer_agents_and_reports_abandonment() -> None:
    staffing = staff_interval(**{**ISSUE_INTERVAL, "patience_seconds": 300})
    assert staffing.model == "erlang_a"
    assert staffing.raw_agents == 13
    assert staffing.service_level >= 0.8
    assert 0 < staffing.abandon_rate < 0.05


def test_erlang_a_can_staff_below_the_load() -> None:
    # impatient customers (30 s) and a loose target: fewer agents than Erlangs suffice
    staffing = staff_interval(
        **{**ISSUE_INTERVAL, "service_level": 0.3, "patience_seconds": 30, "max_occupancy": 1}
    )
    assert staffing.raw_agents < 10
    assert staffing.service_level >= 0.3
    assert erlang_a(staffing.raw_agents - 1, 10.0, 180, 30, 20).service_level < 0.3


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"volume": -1}, "volume"),
        ({"volume": math.nan}, "volume"),
        ({"interval_minutes": 0}, "interval minutes"),
        ({"aht_seconds": 0}, "average handle time"),
        ({"service_level": 1.0}, "service level"),
        ({"service_level": None}, "service-level target or an average-speed-of-answer"),
        ({"answer_within_seconds": -5}, "answer-within"),
        ({"max_occupancy": 0}, "maximum occupancy"),
        ({"max_occupancy": 1.2}, "maximum occupancy"),
        ({"shrinkage": 1}, "shrinkage"),
        ({"patience_seconds": 0}, "patience"),
        ({"concurrency": 0}, "concurrency"),
        ({"asa_target_seconds": -1}, "average-speed-of-answer target"),
        ({"volume": 10**9}, "split the queue"),
    ],
)
def test_bad_input_is_refused_with_a_reason(change: dict, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        staff_interval(**{**ISSUE_INTERVAL, **change})


def test_numpy_numbers_are_read_as_the_decimals_they_show() -> None:
    import numpy as np

    staffing = staff_interval(
        **{**ISSUE_INTERVAL, "volume": np.float64(100.0), "shrinkage": np.float64(0.3)}
    )
    assert (staffing.raw_agents, staffing.scheduled_agents) == (14, 20)


def test_erlang_a_with_very_impatient_customers_goes_far_below_the_load() -> None:
    # 30 Erlangs, customers hang up after 10 s: a 30 % service level needs far fewer agents
    staffing = staff_interval(
        **{**ISSUE_INTERVAL, "volume": 300, "service_level": 0.3, "patience_seconds": 10,
           "max_occupancy": 1}
    )  # fmt: skip
    assert staffing.raw_agents < 30 - 2 * math.sqrt(30)
    assert erlang_a(staffing.raw_agents, 30.0, 180, 10, 20).service_level >= 0.3
    assert erlang_a(staffing.raw_agents - 1, 30.0, 180, 10, 20).service_level < 0.3
