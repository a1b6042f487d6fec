"""Log-space integrals of exp(-a·s + y·(1 − e^−s)), the one integral Erlang A needs.

Erlang A's waiting-time terms are incomplete gamma functions; written as integrals over
s = θ·t (time in units of the mean patience) the integrand is log-concave, so a composite
Gauss–Legendre rule around its mode is accurate to ~1e-14 without factorials, huge powers or
cancellation, for one agent or ten thousand.
"""

import math
from functools import cache

_NODES = 10
# Panels from the mode outwards double in width (the innermost is 2^-14 of the reach), so a
# feature at the scale of one patience and a peak 10,000× narrower are both resolved.
_DYADIC_PANELS = 14
# exp(-80) ≈ 2e-35: beyond this drop from the peak the integrand no longer matters.
_CUTOFF = 80.0


@cache
def _gauss_legendre(n: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Nodes and weights on [-1, 1] by Newton's method on the Legendre polynomial P_n."""
    nodes: list[float] = []
    weights: list[float] = []
    for i in range(1, n + 1):
        x = math.cos(math.pi * (i - 0.25) / (n + 0.5))
        derivative = 1.0
        for _ in range(100):
            before, current = 1.0, x
            for k in range(2, n + 1):
                before, current = current, ((2 * k - 1) * x * current - (k - 1) * before) / k
            derivative = n * (x * current - before) / (x * x - 1)
            step = current / derivative
            x -= step
            if abs(step) < 1e-16:
                break
        nodes.append(x)
        weights.append(2 / ((1 - x * x) * derivative * derivative))
    return tuple(nodes), tuple(weights)


def _exponent(a: float, y: float, s: float) -> float:
    return -a * s - y * math.expm1(-s)


def _reach(a: float, y: float, mode: float, peak: float, bound: float, direction: int) -> float:
    """How far from the mode (towards bound) the exponent stays within _CUTOFF of its peak:
    doubling from a sixteenth of the tangent line's or the parabola's estimate."""
    slope = abs(y * math.exp(-mode) - a)
    curvature = y * math.exp(-mode)
    estimates = [_CUTOFF / slope] if slope > 0 else []
    if curvature > 0:
        estimates.append(math.sqrt(2 * _CUTOFF / curvature))
    distance = max(min(estimates) / 16, 1e-12)
    while distance < 1e7:
        s = mode + direction * distance
        if (direction > 0 and s >= bound) or (direction < 0 and s <= bound):
            return bound
        if _exponent(a, y, s) < peak - _CUTOFF:
            return s
        distance *= 2
    return mode + direction * distance


def log_integral(a: float, y: float, lo: float = 0.0, hi: float = math.inf, moment: int = 0):
    """log ∫_lo^hi s^moment · exp(−a·s + y·(1 − e^−s)) ds for a > 0, y ≥ 0, 0 ≤ lo < hi ≤ ∞.

    Returns −inf when the integral is empty. The result carries its scale in the logarithm,
    so a peak of e^1500 (a heavily overloaded queue) is no overflow.
    """
    if not hi > lo:
        return -math.inf
    mode = math.log(y / a) if y > a else 0.0
    mode = min(max(mode, lo), hi)
    peak = _exponent(a, y, mode)
    left = _reach(a, y, mode, peak, lo, -1) if mode > lo else lo
    right = _reach(a, y, mode, peak, hi, +1)
    nodes, weights = _gauss_legendre(_NODES)
    total = 0.0
    for end, direction in ((left, -1), (right, +1)):
        reach = abs(end - mode)
        if reach <= 0:
            continue
        inner = 0.0
        for k in range(_DYADIC_PANELS + 1):
            outer = reach * 2.0 ** (k - _DYADIC_PANELS)
            width = outer - inner
            middle = mode + direction * (inner + outer) / 2
            for node, weight in zip(nodes, weights, strict=True):
                s = middle + 0.5 * width * node
                value = math.exp(-a * s - y * math.expm1(-s) - peak)
                if moment:
                    value *= s**moment
                total += 0.5 * width * weight * value
            inner = outer
    if total <= 0.0:
        return -math.inf
    return peak + math.log(total)
