"""Turning summed rollup measures into figures: means, percentages, medians read from the
fixed histograms (interpolated inside the bin that holds the middle ticket)."""

from __future__ import annotations

from collections.abc import Mapping

from kefu.analytics.models import HIST_BINS, HIST_BOUNDS

# every figure `series` can draw, and the summed measures each needs
FIGURES: dict[str, tuple[str, ...]] = {
    "created": ("created",),
    "solved": ("solved",),
    "frt_mean": ("frt_sum", "frt_count"),
    "frt_business_mean": ("frt_bsum", "frt_count"),
    "frt_median": tuple(f"frt_h{i}" for i in range(HIST_BINS)),
    "frt_business_median": tuple(f"frt_b_h{i}" for i in range(HIST_BINS)),
    "resolution_mean": ("res_sum", "solved"),
    "resolution_business_mean": ("res_bsum", "solved"),
    "resolution_median": tuple(f"res_h{i}" for i in range(HIST_BINS)),
    "resolution_business_median": tuple(f"res_b_h{i}" for i in range(HIST_BINS)),
    "next_reply_mean": ("nrt_sum", "nrt_count"),
    "next_reply_business_mean": ("nrt_bsum", "nrt_count"),
    "requester_wait_mean": ("wait_sum", "solved"),
    "requester_wait_business_mean": ("wait_bsum", "solved"),
    "on_hold_mean": ("hold_sum", "solved"),
    "agent_work_mean": ("work_sum", "solved"),
    "replies_per_solved": ("replies", "solved"),
    "one_touch_pct": ("one_touch", "solved"),
    "first_contact_pct": ("first_contact", "solved"),
    "reopened_pct": ("reopened", "solved"),
    "sla_achieved_pct": ("sla_achieved", "sla_breached"),
    "csat_pct": ("csat_good", "csat_bad"),
    "assignee_hops_mean": ("assignee_hops", "solved"),
    "team_hops_mean": ("team_hops", "solved"),
}


def columns_for(names: list[str]) -> list[str]:
    wanted: list[str] = []
    for name in names:
        for column in FIGURES[name]:
            if column not in wanted:
                wanted.append(column)
    return wanted


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def median(counts: list[int]) -> float | None:
    """The median of a histogram, interpolated linearly inside its bin (the last bin, which
    has no upper bound, answers its lower bound)."""
    total = sum(counts)
    if not total:
        return None
    middle = total / 2
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= middle:
            low = HIST_BOUNDS[index - 1] if index else 0
            if index >= len(HIST_BOUNDS):
                return float(low)
            high = HIST_BOUNDS[index]
            return low + (high - low) * (middle - seen) / count
        seen += count
    return None


def figure(name: str, s: Mapping[str, int]) -> float | None:
    """One figure from summed measures `s`."""
    g = lambda key: s.get(key, 0) or 0  # noqa: E731
    if name in ("created", "solved"):
        return float(g(name))
    if name.endswith("_median"):
        return median([g(column) for column in FIGURES[name]])
    part, whole = FIGURES[name]
    if name == "sla_achieved_pct":
        return pct(g(part), g(part) + g(whole))
    if name == "csat_pct":
        return pct(g(part), g(part) + g(whole))
    if name.endswith("_pct"):
        return pct(g(part), g(whole))
    return ratio(g(part), g(whole))
