"""Erlang B, C and A: exact, stable queueing formulas for one interval of one queue.

Conventions: `load` is the offered load in Erlangs (arrivals × average handle time ÷ interval
length); `servers` is how many contacts can be handled at once (agents × concurrency). Erlang B
uses the recursion B(k) = A·B(k−1) / (k + A·B(k−1)) — every step stays in [0, 1], so there are
no factorials or powers to overflow at thousands of agents. Erlang C and the service level
follow from B; Erlang A (customers who abandon after an exponential patience) from B and two
log-space integrals (kefu.workforce.staffing.quadrature).
"""

import math
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext as _
from kefu.workforce.staffing.quadrature import log_integral

# Past this a queue is better split; the arithmetic itself would still hold.
MAX_LOAD_ERLANGS = 50_000


def erlang_b(servers: int, load: float) -> float:
    """Probability that a contact finds every server busy with no queue (M/M/n/n blocking)."""
    b = 1.0
    for k in range(1, servers + 1):
        ab = load * b
        b = ab / (k + ab)
    return b


def erlang_c_from_b(servers: int, load: float, b: float) -> float:
    """Erlang C from Erlang B at the same servers: C = n·B / (n − A·(1 − B))."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    return servers * b / (servers - load * (1 - b))


def erlang_c(servers: int, load: float) -> float:
    """Probability that a contact waits (M/M/n; 1 when the servers cannot keep up)."""
    return erlang_c_from_b(servers, load, erlang_b(servers, load))


def service_level(
    servers: int, load: float, aht_seconds: float, answer_within_seconds: float
) -> float:
    """Share of contacts answered within the threshold: 1 − C·e^(−(n − A)·t / AHT)."""
    if load <= 0:
        return 1.0
    if servers <= load:
        return 0.0
    wait = erlang_c(servers, load)
    return _unit(1 - wait * math.exp(-(servers - load) * answer_within_seconds / aht_seconds))


def asa(servers: int, load: float, aht_seconds: float) -> float:
    """Average speed of answer over all contacts in seconds: C·AHT / (n − A); ∞ if overloaded."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return math.inf
    return erlang_c(servers, load) * aht_seconds / (servers - load)


@dataclass(frozen=True)
class ErlangA:
    """One interval's predictions when customers abandon (M/M/n+M, Palm's model)."""

    wait_probability: float  # P(a contact has to wait at all)
    abandon_rate: float  # P(a contact hangs up before being answered)
    service_level: float  # P(answered within the threshold); abandoned contacts count against
    asa_seconds: float  # average wait of the answered contacts (0 for those answered at once)
    occupancy: float  # handled load ÷ servers


def erlang_a(
    servers: int,
    load: float,
    aht_seconds: float,
    patience_seconds: float,
    answer_within_seconds: float,
) -> ErlangA:
    """Erlang A by its exact formulas in units of the mean patience (θ = 1 / patience).

    With x = n·μ/θ and y = λ/θ, and F(a, S) = ∫_0^S e^(−a·s + y·(1 − e^−s)) ds:
    π_n (all servers busy, nobody waiting) = 1 / (1/B + x·F(x, ∞) − 1),
    P(wait) = x·F(x, ∞)·π_n, P(abandon) = P(wait)·(1 − n/A) + (n/A)·π_n (flow balance),
    P(answered within t) = 1 − P(wait) + x·π_n·F(x + 1, θ·t). Everything is kept in
    logarithms, so neither an overloaded queue (n < A) nor 5,000 Erlangs overflows.
    """
    return _erlang_a(servers, load, aht_seconds, patience_seconds, answer_within_seconds, True)


def _erlang_a(servers, load, aht_seconds, patience_seconds, answer_within_seconds, with_asa):
    """erlang_a; without with_asa the ASA integral is skipped (NaN) while searching for a
    service level."""
    if servers < 1:
        raise ValueError("Erlang A needs at least one server")
    if load <= 0:
        return ErlangA(0.0, 0.0, 1.0, 0.0, 0.0)
    ratio = patience_seconds / aht_seconds
    x = servers * ratio
    y = load * ratio
    log_inverse_b = _log_inverse_erlang_b(servers, load)
    log_a = math.log(x) + log_integral(x, y)
    log_excess = log_a + math.log(-math.expm1(-log_a)) if log_a > 0 else -math.inf  # log(e^L − 1)
    log_z = _logaddexp(log_inverse_b, log_excess)
    busy = math.exp(-log_z)
    wait = _unit(math.exp(log_a - log_z))
    share = servers / load
    abandon = _unit(wait * (1 - share) + share * busy)
    threshold = answer_within_seconds / patience_seconds
    answered_waiting = math.exp(math.log(x) - log_z + log_integral(x + 1, y, 0.0, threshold))
    level = _unit(1 - wait + answered_waiting)
    answered = 1 - abandon
    asa_seconds = math.nan
    if with_asa:
        mean_wait = math.exp(math.log(x) - log_z + log_integral(x + 1, y, moment=1))
        asa_seconds = mean_wait * patience_seconds / answered if answered > 0 else math.inf
    occupancy = min(1.0, load * answered / servers)
    return ErlangA(wait, abandon, level, asa_seconds, occupancy)


def _log_inverse_erlang_b(servers: int, load: float) -> float:
    """log(1/B(n, A)): from the plain recursion while B is a normal float, else by
    1/B(k) = 1 + (k/A)·(1/B(k−1)) in logarithms (no underflow however far n is above A)."""
    b = erlang_b(servers, load)
    if b > 1e-280:
        return -math.log(b)
    log_inverse = 0.0
    log_load = math.log(load)
    for k in range(1, servers + 1):
        log_inverse = _logaddexp(0.0, math.log(k) - log_load + log_inverse)
    return log_inverse


def _logaddexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    high, low = max(a, b), min(a, b)
    return high + math.log1p(math.exp(low - high))


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Staffing:
    """One interval's requirement: the CLI's JSON fields, in this order."""

    model: str  # "erlang_c" (voice, chat with concurrency) or "erlang_a" (with patience)
    offered_load_erlangs: float
    raw_agents: int  # on the floor, taking contacts
    scheduled_agents: int  # to schedule, after shrinkage
    service_level: float  # predicted share answered within the threshold
    occupancy: float
    wait_probability: float
    asa_seconds: float
    abandon_rate: float | None  # None for Erlang C

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def exact(value: float | int | str | Decimal | Fraction) -> Fraction:
    """The decimal a person typed, exactly: 0.7 is 7/10, so ceil(21 / 0.7) is 30, not 31."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):  # numpy's floats too: repr of the plain float
        return Fraction(Decimal(repr(float(value))))
    return Fraction(Decimal(str(value)))


@lru_cache(maxsize=4096)
def _ratio(value: float | int) -> tuple[int, int]:
    """exact(value) as (numerator, denominator): staffing a month of intervals repeats the same
    AHT, shrinkage and occupancy, and integer arithmetic is much cheaper than Fraction's."""
    fraction = exact(value)
    return fraction.numerator, fraction.denominator


def offered_load(volume: float, interval_minutes: int, aht_seconds: float) -> Fraction:
    """Erlangs: contacts × AHT ÷ interval seconds, as an exact fraction."""
    return Fraction(*_load_ratio(volume, interval_minutes, aht_seconds))


def _load_ratio(volume: float, interval_minutes: int, aht_seconds: float) -> tuple[int, int]:
    volume_n, volume_d = _ratio(volume)
    aht_n, aht_d = _ratio(aht_seconds)
    minutes_n, minutes_d = _ratio(interval_minutes)
    return volume_n * aht_n * minutes_d, volume_d * aht_d * minutes_n * 60


def after_shrinkage(raw_agents: int, shrinkage: float) -> int:
    """Agents to schedule so that raw_agents remain after shrinkage (leave, training, breaks):
    ceil(raw / (1 − shrinkage)) in integers."""
    lost, whole = _ratio(shrinkage)
    return -(-raw_agents * whole // (whole - lost))


def _occupancy_floor(load: tuple[int, int], max_occupancy: float, concurrency: int) -> int:
    """The fewest agents keeping load ÷ (agents × concurrency) ≤ max_occupancy, exactly."""
    occupancy_n, occupancy_d = _ratio(max_occupancy)
    return -(-load[0] * occupancy_d // (load[1] * occupancy_n * concurrency))


def staff_interval(
    *,
    volume: float,
    interval_minutes: int,
    aht_seconds: float,
    service_level: float | None,
    answer_within_seconds: float,
    max_occupancy: float,
    shrinkage: float,
    patience_seconds: float | None = None,
    concurrency: int = 1,
    asa_target_seconds: float | None = None,
) -> Staffing:
    """The fewest agents that meet the target and the occupancy cap, then shrinkage.

    The target is the service level (answered within answer_within_seconds), or — when
    asa_target_seconds is set — the average speed of answer instead: two different goals, never
    mixed. Erlang C when patience_seconds is None, else Erlang A. Chat: each agent serves
    `concurrency` contacts at once (servers = agents × concurrency; AHT is a chat's duration).
    """
    _validate(
        volume, interval_minutes, aht_seconds, service_level, answer_within_seconds,
        max_occupancy, shrinkage, patience_seconds, concurrency, asa_target_seconds,
    )  # fmt: skip
    load_exact = _load_ratio(volume, interval_minutes, aht_seconds)
    load = load_exact[0] / load_exact[1]  # int ÷ int: correctly rounded
    model = "erlang_c" if patience_seconds is None else "erlang_a"
    if load_exact[0] > MAX_LOAD_ERLANGS * load_exact[1]:
        raise InvalidInput(
            _("offered load %(load)s Erlangs is over %(max)s: split the queue",
              load=f"{load:,.0f}", max=f"{MAX_LOAD_ERLANGS:,}")
        )  # fmt: skip
    if load_exact[0] == 0:
        no_abandon = None if patience_seconds is None else 0.0
        return Staffing(model, 0.0, 0, 0, 1.0, 0.0, 0.0, 0.0, no_abandon)
    occupancy_floor = _occupancy_floor(load_exact, max_occupancy, concurrency)
    if patience_seconds is None:
        raw, metrics = _search_erlang_c(
            load, aht_seconds, answer_within_seconds, concurrency, occupancy_floor,
            service_level, asa_target_seconds,
        )  # fmt: skip
    else:
        raw, metrics = _search_erlang_a(
            load, aht_seconds, answer_within_seconds, concurrency, max_occupancy,
            patience_seconds, service_level, asa_target_seconds,
        )  # fmt: skip
    return Staffing(model, load, raw, after_shrinkage(raw, shrinkage), *metrics)


Metrics = tuple[float, float, float, float, float | None]


def _search_erlang_c(
    load, aht, within, concurrency, occupancy_floor, level_target, asa_target
) -> tuple[int, Metrics]:
    """From ⌊A / concurrency⌋ + 1 agents upwards, carrying Erlang B along the recursion."""
    agents = max(math.floor(load / concurrency) + 1, occupancy_floor)
    servers = agents * concurrency
    b = erlang_b(servers, load)
    while True:
        wait = erlang_c_from_b(servers, load, b)
        level = 1 - wait * math.exp(-(servers - load) * within / aht)  # in [0, 1]: n > A
        speed = wait * aht / (servers - load)
        met = speed <= asa_target if asa_target is not None else level >= level_target
        if met:
            return agents, (level, load / servers, wait, speed, None)
        agents += 1
        for _k in range(concurrency):
            servers += 1
            ab = load * b
            b = ab / (servers + ab)


def _search_erlang_a(
    load, aht, within, concurrency, max_occupancy, patience, level_target, asa_target
) -> tuple[int, Metrics]:
    """Abandonment keeps the queue stable below A agents, so the search may end below A:
    bracket the answer around A in steps of √A, then bisect (every measure is monotone in
    agents)."""

    def meets(agents: int) -> bool:
        result = _erlang_a(
            agents * concurrency, load, aht, patience, within, asa_target is not None
        )
        if asa_target is not None:
            met = result.asa_seconds <= asa_target
        else:
            met = result.service_level >= level_target
        return met and result.occupancy <= max_occupancy

    per_agent = load / concurrency
    low, high = 0, max(1, math.ceil(per_agent))
    guess = math.floor(per_agent - 2 * math.sqrt(per_agent))  # usually too few: narrows the range
    if guess >= 1 and meets(guess):
        high = guess  # very impatient customers: the answer is further below A
    else:
        low = max(low, guess)
        step = max(1, math.isqrt(high))  # the answer is usually within a few √A of A
        while not meets(high):
            low, high, step = high, high + step, step * 2
    while high - low > 1:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle
    result = erlang_a(high * concurrency, load, aht, patience, within)
    return high, (
        result.service_level, result.occupancy, result.wait_probability,
        result.asa_seconds, result.abandon_rate,
    )  # fmt: skip


def _validate(
    volume, interval_minutes, aht, level, within, occupancy, shrinkage, patience, concurrency,
    asa_target,
) -> None:  # fmt: skip
    # `not (a < x)` rather than `x >= a` so that NaN is refused too
    if not (_finite(volume) and volume >= 0):
        raise InvalidInput(_("volume must be a number of contacts, 0 or more"))
    if not (_finite(interval_minutes) and interval_minutes > 0):
        raise InvalidInput(_("interval minutes must be more than 0"))
    if not (_finite(aht) and aht > 0):
        raise InvalidInput(_("average handle time must be more than 0 seconds"))
    if level is None and asa_target is None:
        raise InvalidInput(_("give a service-level target or an average-speed-of-answer target"))
    if level is not None and not (_finite(level) and 0 < level < 1):
        raise InvalidInput(_("service level must be between 0 and 1, e.g. 0.8"))
    if not (_finite(within) and within >= 0):
        raise InvalidInput(_("answer-within seconds must be 0 or more"))
    if not (_finite(occupancy) and 0 < occupancy <= 1):
        raise InvalidInput(_("maximum occupancy must be more than 0 and at most 1, e.g. 0.85"))
    if not (_finite(shrinkage) and 0 <= shrinkage < 1):
        raise InvalidInput(_("shrinkage must be at least 0 and less than 1, e.g. 0.3"))
    if patience is not None and not (_finite(patience) and patience > 0):
        raise InvalidInput(_("patience must be more than 0 seconds"))
    if not (isinstance(concurrency, int) and 1 <= concurrency <= 20):
        raise InvalidInput(_("concurrency must be a whole number from 1 to 20"))
    if asa_target is not None and not (_finite(asa_target) and asa_target > 0):
        raise InvalidInput(_("the average-speed-of-answer target must be more than 0 seconds"))


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
