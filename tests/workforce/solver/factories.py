"""Small roster problems for the scheduler's tests (no database)."""

from __future__ import annotations

import random
from datetime import date

from kefu.workforce.scheduling.problem import (
    Agent,
    BreakRule,
    FixedShift,
    Horizon,
    LabourRules,
    Problem,
    Queue,
    Requirement,
    ShiftMatch,
    ShiftTemplate,
    Span,
    TimeOff,
    start_times,
)

MONDAY = date(2026, 12, 7)
CHAT, EMAIL = 1, 2
DAY = 1440


def day_template(*, id: int = 1, starts=(8 * 60, 9 * 60), length: int = 480, breaks=()):
    return ShiftTemplate(id, f"T{id}", tuple(starts), length, tuple(breaks))


def problem(
    *,
    agents,
    templates,
    needs: dict[tuple[int, int], float] | None = None,
    days: int = 7,
    interval_minutes: int = 60,
    start_date: date = MONDAY,
    queues=((CHAT, "Chat"), (EMAIL, "Email")),
    rules: LabourRules | None = None,
) -> Problem:
    """`needs` maps (queue, interval) → agents."""
    return Problem(
        horizon=Horizon(start_date, days, interval_minutes),
        queues=tuple(Queue(i, name) for i, name in queues),
        requirements=tuple(Requirement(q, t, n) for (q, t), n in sorted((needs or {}).items())),
        templates=tuple(templates),
        agents=tuple(agents),
        rules=rules or LabourRules(),
    )


def agent(id: int, *, queues=(CHAT,), **fields) -> Agent:
    return Agent(id=id, name=f"Agent {id}", queue_ids=tuple(queues), **fields)


def busy_needs(days: int, interval_minutes: int, *, level: float, queues=(CHAT,)) -> dict:
    """`level` agents wanted on each queue 07:00–23:00 every day (more than the staff can give)."""
    per_day = DAY // interval_minutes
    return {
        (q, d * per_day + i): level
        for q in queues
        for d in range(days)
        for i in range(per_day)
        if 7 * 60 <= i * interval_minutes < 23 * 60
    }


def random_problem(seed: int) -> Problem:
    """Two weeks, six agents, two queues, every rule in play and more demand than staff."""
    rng = random.Random(seed)
    days, size = 14, 30
    templates = (
        ShiftTemplate(1, "Early", start_times(6 * 60, 9 * 60, 60), 480,
                      (BreakRule("break", 15, 90, 150), BreakRule("lunch", 30, 210, 270, False))),
        ShiftTemplate(2, "Late", start_times(13 * 60, 15 * 60, 60), 480,
                      (BreakRule("break", 15, 120, 180),)),
        ShiftTemplate(3, "Night", (22 * 60,), 480, (BreakRule("break", 30, 180, 240, False),)),
        ShiftTemplate(4, "Short", (10 * 60, 17 * 60), 240, ()),
        ShiftTemplate(5, "Too long", (8 * 60,), 720, ()),
    )  # fmt: skip
    agents = []
    for i in range(6):
        time_off, availability, fixed = (), None, ()
        if rng.random() < 0.4 and i != 2:
            first = rng.randrange(days - 2)
            time_off = (TimeOff(first * DAY, (first + 2) * DAY, 960),)
        if i == 1:
            availability = (Span(0, 5 * DAY), Span(7 * DAY + 6 * 60, 12 * DAY))
        if i == 2:
            fixed = (FixedShift(2 * DAY + 11 * 60, 2 * DAY + 18 * 60, None, CHAT, None),)
        agents.append(
            agent(
                i,
                queues=(CHAT, EMAIL) if i == 2 else rng.choice([(CHAT,), (EMAIL,), (CHAT, EMAIL)]),
                min_minutes_per_week=rng.choice([0, 960, 1440]),
                max_minutes_per_week=rng.choice([None, 1920]),
                availability=availability,
                preferred=(ShiftMatch(template_id=rng.choice([1, 2])),),
                avoided=(ShiftMatch(weekday=6),),
                forbidden=(ShiftMatch(template_id=3, weekday=rng.randrange(7)),
                           ShiftMatch(day=rng.randrange(days))),
                time_off=time_off,
                fixed_shifts=fixed,
                last_shift_end_minute=-5 * 60 if i == 3 else None,
                days_worked_before=4 if i == 4 else 0,
            )
        )  # fmt: skip
    needs = busy_needs(days, size, level=2, queues=(CHAT, EMAIL))
    for q, t in list(needs):
        needs[q, t] = rng.choice([1, 2, 3])
    for d in range(days):  # a small night line on chat
        for i in range(4):
            needs[CHAT, d * (DAY // size) + i] = 1
    rules = LabourRules(
        max_minutes_per_day=600,
        max_minutes_per_week=2400,
        min_rest_minutes=720,
        max_consecutive_days=4,
        min_days_off_per_week=2,
        max_nights_per_week=1,
        max_weekends_worked=1,
    )
    return problem(
        agents=agents, templates=templates, needs=needs, days=days, interval_minutes=size,
        rules=rules,
    )  # fmt: skip
