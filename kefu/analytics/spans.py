"""Reading several consecutive spans of hours in one pass: the overview page's period, the
period before it and each bar of its chart are spans of one range, so each source table is
read once over the whole range and grouped by span, instead of once per reading.

A span is [bounds[i], bounds[i + 1]) in hours since the epoch (as the rollups count them);
`span_of` places a value in its span with a balanced tree of comparisons (a few per row,
however many spans), written as nested CASE so both databases evaluate it in the query."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from sqlalchemy import case, literal


def span_of(value: Any, bounds: Sequence[Any]) -> Any:
    """The index of the span holding `value` (rows before bounds[0] or from bounds[-1] on
    are the caller's to leave out): bounds[i] <= value < bounds[i + 1] gives i."""
    if len(bounds) < 2:
        raise ValueError("spans need at least two bounds")

    def node(low: int, high: int) -> Any:  # spans low..high
        if low == high:
            return literal(low)
        middle = (low + high + 1) // 2
        return case((value < bounds[middle], node(low, middle - 1)), else_=node(middle, high))

    return node(0, len(bounds) - 2)


def check_bounds(bounds: Sequence[int]) -> None:
    if len(bounds) < 2 or any(b <= a for a, b in pairwise(bounds)):
        raise ValueError(f"span bounds must increase: {list(bounds)}")


def added(target: dict[str, int], sums: dict[str, int]) -> dict[str, int]:
    for column, value in sums.items():
        target[column] = target.get(column, 0) + value
    return target


def merged(
    by_span: dict[Any, dict[str, int]], spans: Sequence[int], columns: Sequence[str]
) -> dict[str, int]:
    """The sums of these spans together (every column present, 0 when none)."""
    total = dict.fromkeys(columns, 0)
    for index in spans:
        added(total, by_span.get(index, {}))
    return total
