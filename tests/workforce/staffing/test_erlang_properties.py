"""Erlang B, C and A against independent slow formulas: exact fractions with factorials, and
Erlang A by summing the birth-death chain and uniformizing the waiting customer (mpmath)."""

import math
from fractions import Fraction

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.workforce.staffing.erlang import (
    after_shrinkage,
    erlang_a,
    erlang_b,
    erlang_c,
    service_level,
    staff_interval,
)

loads = st.fractions(min_value=Fraction(1, 20), max_value=60, max_denominator=1000)


def exact_erlang_b(servers: int, load: Fraction) -> Fraction:
    terms = [load**k / math.factorial(k) for k in range(servers + 1)]
    return terms[-1] / sum(terms)


def exact_erlang_c(servers: int, load: Fraction) -> Fraction:
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    below = sum(load**k / math.factorial(k) for k in range(servers))
    return top / (below + top)


@settings(max_examples=150, deadline=None)
@given(load=loads, servers=st.integers(min_value=0, max_value=120))
def test_erlang_b_equals_the_factorial_formula(load: Fraction, servers: int) -> None:
    expected = float(exact_erlang_b(servers, load))
    assert math.isclose(erlang_b(servers, float(load)), expected, rel_tol=1e-12)


@settings(max_examples=150, deadline=None)
@given(load=loads, extra=st.integers(min_value=1, max_value=40), within=st.integers(0, 120))
def test_erlang_c_and_service_level_equal_the_factorial_formula(
    load: Fraction, extra: int, within: int
) -> None:
    servers = math.floor(load) + extra
    exact = exact_erlang_c(servers, load)
    assert math.isclose(erlang_c(servers, float(load)), float(exact), rel_tol=1e-11)
    mpmath.mp.dps = 40
    tail = mpmath.mpf(exact.numerator) / exact.denominator
    expected = 1 - tail * mpmath.exp(-(servers - mpmath.mpf(load.numerator) / load.denominator)
                                     * within / 180)  # fmt: skip
    assert math.isclose(service_level(servers, float(load), 180, within), float(expected),
                        rel_tol=1e-11, abs_tol=1e-13)  # fmt: skip


def slow_erlang_a(servers: int, load: float, aht: float, patience: float, within: float):
    """Stationary chain summed term by term, and the tagged waiting customer uniformized."""
    mpmath.mp.dps = 30
    lam, mu, theta = mpmath.mpf(load) / aht, mpmath.mpf(1) / aht, mpmath.mpf(1) / patience
    states = [mpmath.mpf(1)]
    k = 0
    while True:
        k += 1
        rate = k * mu if k <= servers else servers * mu + (k - servers) * theta
        states.append(states[-1] * lam / rate)
        if k > servers + 10 and states[-1] < mpmath.mpf(10) ** -40 * sum(states):
            break
    total = sum(states)
    pi = [p / total for p in states]
    queue = pi[servers:]
    wait = sum(queue)
    abandon = sum(j * theta * q for j, q in enumerate(queue)) / lam
    # the arrival that finds j waiting is at position j; moving up at n·μ + i·θ, leaving at θ
    top = len(queue) - 1
    uniform = servers * mu + top * theta + theta
    vector = list(queue)
    served_by = mpmath.mpf(0)
    steps = int(uniform * within + 20 * mpmath.sqrt(uniform * within + 1) + 40)
    weight = mpmath.exp(-uniform * within)
    served = mpmath.mpf(0)
    for step in range(steps + 1):
        served_by += weight * served
        weight = weight * uniform * within / (step + 1)
        moved = [mpmath.mpf(0)] * len(vector)
        for i, mass in enumerate(vector):
            forward = servers * mu + i * theta
            stay = 1 - (forward + theta) / uniform
            moved[i] += mass * stay
            if i == 0:
                served += mass * forward / uniform
            else:
                moved[i - 1] += mass * forward / uniform
        vector = moved
    return float(wait), float(abandon), float(1 - wait + served_by)


@settings(max_examples=25, deadline=None)
@given(
    servers=st.integers(min_value=1, max_value=12),
    load=st.floats(min_value=0.2, max_value=12),
    aht=st.sampled_from([60.0, 120.0, 180.0, 300.0]),
    patience=st.floats(min_value=30, max_value=400),
    within=st.sampled_from([0.0, 10.0, 20.0, 45.0]),
)
def test_erlang_a_equals_the_chain_summed_term_by_term(servers, load, aht, patience, within):
    result = erlang_a(servers, load, aht, patience, within)
    wait, abandon, level = slow_erlang_a(servers, load, aht, patience, within)
    assert math.isclose(result.wait_probability, wait, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(result.abandon_rate, abandon, rel_tol=1e-8, abs_tol=1e-12)
    assert math.isclose(result.service_level, level, rel_tol=1e-8, abs_tol=1e-10)


@settings(max_examples=100, deadline=None)
@given(
    raw=st.integers(min_value=0, max_value=10_000), percent=st.integers(min_value=0, max_value=99)
)
def test_shrinkage_rounds_up_exactly(raw: int, percent: int) -> None:
    shrinkage = percent / 100
    scheduled = after_shrinkage(raw, shrinkage)
    assert scheduled * (100 - percent) >= raw * 100
    assert (scheduled - 1) * (100 - percent) < raw * 100 or scheduled == 0


@settings(max_examples=60, deadline=None)
@given(
    volume=st.integers(min_value=1, max_value=3000),
    aht=st.integers(min_value=30, max_value=900),
    level=st.sampled_from([0.5, 0.8, 0.9, 0.95]),
    occupancy=st.sampled_from([0.7, 0.85, 0.9, 1.0]),
)
def test_staffing_is_the_fewest_agents_meeting_both_targets(volume, aht, level, occupancy):
    staffing = staff_interval(
        volume=volume, interval_minutes=30, aht_seconds=aht, service_level=level,
        answer_within_seconds=20, max_occupancy=occupancy, shrinkage=0.3,
    )  # fmt: skip
    load = Fraction(volume * aht, 1800)
    agents = staffing.raw_agents

    def meets(n: int) -> bool:
        return (
            n > load
            and load / n <= Fraction(str(occupancy))
            and (service_level(n, float(load), aht, 20) >= level)
        )

    assert meets(agents)
    assert not meets(agents - 1)


@settings(max_examples=30, deadline=None)
@given(
    volume=st.integers(min_value=1, max_value=600),
    aht=st.integers(min_value=60, max_value=600),
    patience=st.integers(min_value=10, max_value=900),
    level=st.sampled_from([0.3, 0.6, 0.8, 0.95]),
    occupancy=st.sampled_from([0.8, 0.9, 1.0]),
)
def test_erlang_a_staffing_is_the_fewest_agents(volume, aht, patience, level, occupancy):
    staffing = staff_interval(
        volume=volume, interval_minutes=30, aht_seconds=aht, service_level=level,
        answer_within_seconds=20, max_occupancy=occupancy, shrinkage=0.3,
        patience_seconds=patience,
    )  # fmt: skip
    load = volume * aht / 1800

    def meets(n: int) -> bool:
        result = erlang_a(n, load, aht, patience, 20)
        return result.service_level >= level and result.occupancy <= occupancy

    assert meets(staffing.raw_agents)
    assert staffing.raw_agents == 1 or not meets(staffing.raw_agents - 1)
