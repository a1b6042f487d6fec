"""Turn the solved aggregate counts back into one shift per agent, with a queue and breaks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from kefu.workforce.scheduling.problem import PlacedBreak, ScheduledShift
from kefu.workforce.scheduling.solver_model import RosterModel


def extract_shifts(rm: RosterModel, value: Callable) -> tuple[ScheduledShift, ...]:
    """The roster in a solution; `value` reads a variable (a solver's or a callback's Value)."""
    shapes = rm.options.shapes
    working: dict[tuple[int, ...], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for (a, s), var in rm.x.items():
        if value(var):
            agent = rm.options.agents[a].agent
            working[tuple(sorted(agent.queue_ids))][s].append(a)
    queue_of: dict[tuple[int, int], int] = {}  # (agent, shape) → queue
    for group, on_shape in working.items():
        for s, agents in on_shape.items():
            if len(group) == 1:
                for a in agents:
                    queue_of[a, s] = group[0]
                continue
            left = {q: value(rm.per_group[s, group, q]) for q in group}
            free = []
            for a in agents:
                forced = rm.options.agents[a].fixed_queue.get(s)
                if forced is not None:
                    queue_of[a, s] = forced
                    left[forced] -= 1
                else:
                    free.append(a)
            seats = [q for q in group for _ in range(max(0, left[q]))]
            for a, q in zip(free, seats, strict=False):
                queue_of[a, s] = q
    by_queue: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (a, s), q in sorted(queue_of.items()):
        by_queue[s, q].append(a)
    shifts = []
    fixed = {(a, s) for a, o in enumerate(rm.options.agents) for s in o.fixed.values()}
    for (s, q), agents in by_queue.items():
        shape = shapes[s]
        placed: list[list[PlacedBreak]] = [[] for _ in agents]
        for k, rule in enumerate(shape.breaks):
            offsets = [o for o, var in rm.breaks[s, q, k] for _ in range(value(var))]
            for i in range(len(agents)):
                offset = offsets[i] if i < len(offsets) else rule.earliest_offset_minutes
                placed[i].append(
                    PlacedBreak(rule.name, shape.start + offset, rule.length_minutes, rule.is_paid)
                )
        for i, a in enumerate(agents):
            shifts.append(
                ScheduledShift(
                    agent_id=rm.options.agents[a].agent.id,
                    day=shape.day,
                    start_minute=shape.start,
                    end_minute=shape.end,
                    queue_id=q,
                    template_id=shape.template_id,
                    breaks=tuple(placed[i]),
                    is_fixed=(a, s) in fixed,
                )
            )
    return tuple(sorted(shifts, key=lambda shift: (shift.agent_id, shift.start_minute)))
