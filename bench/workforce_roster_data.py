"""A realistic roster problem for the scheduler benchmark: a contact centre of 200 agents.

Three queues (chat, phone, email) with a daily curve (morning ramp, lunch dip, evening peak on
chat), a weekly curve (Monday high, weekend low) and a night phone line; 15-minute intervals
over 4 weeks. Full-timers (40 h: five 8.5 h shifts with an unpaid 30-minute lunch and two paid
15-minute breaks) and part-timers (20 h: 4 h shifts with one break); half the agents serve two
queues; about 4% of agent-days are approved leave (credited 8 h), some agents are only
available in the day, and everyone has a preference or two. The requirement is sized to about
the floor time the staff can give, so the peaks are short and the scheduler has to choose.
"""

from __future__ import annotations

import math
import random
from datetime import date

from kefu.workforce.scheduling.problem import (
    Agent,
    BreakRule,
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
    weekly_spans,
)

SEED = 20261207
CHAT, PHONE, EMAIL = 1, 2, 3
FULL_BREAKS = (
    BreakRule("break", 15, 90, 150),
    BreakRule("lunch", 30, 210, 300, is_paid=False),
    BreakRule("break", 15, 360, 420),
)
TEMPLATES = (
    ShiftTemplate(1, "Early", start_times(6 * 60, 9 * 60, 30), 510, FULL_BREAKS),
    ShiftTemplate(2, "Day", start_times(9 * 60 + 30, 12 * 60, 30), 510, FULL_BREAKS),
    ShiftTemplate(3, "Late", start_times(12 * 60 + 30, 15 * 60 + 30, 30), 510, FULL_BREAKS),
    ShiftTemplate(4, "Night", (22 * 60,), 510, FULL_BREAKS),
    ShiftTemplate(5, "Part-time", start_times(8 * 60, 19 * 60, 60), 240,
                  (BreakRule("break", 15, 90, 150),)),
)  # fmt: skip


def _daily_curve(queue: int, minute: int) -> float:
    """Relative volume in a day (1.0 at the busiest time) for a local minute of the day."""
    hour = minute / 60
    if queue == PHONE:
        day = math.exp(-(((hour - 10.5) / 2.6) ** 2)) + 0.8 * math.exp(-(((hour - 15) / 2.5) ** 2))
        return max(0.12, min(1.0, day))  # a small night line
    if queue == CHAT:
        if hour < 7:
            return 0.0
        return min(
            1.0, 0.5 * math.exp(-(((hour - 11) / 3) ** 2)) + math.exp(-(((hour - 20) / 2.4) ** 2))
        )
    return 1.0 if 8 <= hour < 18 else 0.0  # email: office hours, a steady backlog


WEEKLY = (1.15, 1.05, 1.0, 1.0, 0.95, 0.7, 0.6)  # Monday … Sunday
PEAKS = {CHAT: 48, PHONE: 44, EMAIL: 18}  # agents at the busiest interval of a Monday


def build_problem(agents: int = 200, weeks: int = 4, seed: int = SEED) -> Problem:
    rng = random.Random(seed)
    horizon = Horizon(date(2026, 12, 7), 7 * weeks, 15, "Asia/Shanghai")
    scale = agents / 200
    requirements = []
    for day in range(horizon.days):
        week_factor = WEEKLY[horizon.weekday(day)] * rng.uniform(0.95, 1.05)
        for i in range(horizon.intervals_per_day):
            minute = i * 15 + 7
            for queue, peak in PEAKS.items():
                need = peak * scale * week_factor * _daily_curve(queue, minute)
                need *= rng.uniform(0.92, 1.08)
                if need >= 0.5:
                    requirements.append(
                        Requirement(queue, day * horizon.intervals_per_day + i, round(need))
                    )
    return Problem(
        horizon=horizon,
        queues=(Queue(CHAT, "Chat"), Queue(PHONE, "Phone"), Queue(EMAIL, "Email")),
        requirements=tuple(requirements),
        templates=TEMPLATES,
        agents=tuple(_agent(rng, horizon, i) for i in range(agents)),
        rules=LabourRules(
            max_minutes_per_day=600,
            max_minutes_per_week=2400,
            min_rest_minutes=660,
            max_consecutive_days=6,
            min_days_off_per_week=2,
            max_nights_per_week=2,
            max_weekends_worked=3,
        ),
    )


def _agent(rng: random.Random, horizon: Horizon, i: int) -> Agent:
    part_time = i % 5 == 4
    skills = rng.choice([(CHAT,), (PHONE,), (CHAT, PHONE), (PHONE, EMAIL), (CHAT, EMAIL), (EMAIL,)])
    time_off = []
    if rng.random() < 0.25:  # a week's holiday for a quarter of the staff
        first = rng.randrange(0, horizon.days - 4)
        length = rng.choice([2, 3, 5])
        credit = (240 if part_time else 480) * length
        time_off.append(TimeOff(first * 1440, (first + length) * 1440, credit))
    availability = None
    if part_time:
        availability = weekly_spans(horizon, [(d, 8 * 60, 23 * 60) for d in range(7)])
    elif rng.random() < 0.2:  # day people: never nights
        availability = (Span(0, horizon.minutes),)
        return Agent(
            i, f"Agent {i + 1}", skills, 2400, None, (1, 2, 3), availability,
            preferred=(ShiftMatch(template_id=rng.choice([1, 2])),), time_off=tuple(time_off),
        )  # fmt: skip
    return Agent(
        id=i,
        name=f"Agent {i + 1}",
        queue_ids=skills,
        min_minutes_per_week=1200 if part_time else 2400,
        max_minutes_per_week=1200 if part_time else None,
        template_ids=(5,) if part_time else (1, 2, 3, 4),
        availability=availability,
        preferred=(ShiftMatch(template_id=rng.choice([1, 2, 3])),),
        avoided=(ShiftMatch(weekday=rng.choice([5, 6])),),
        time_off=tuple(time_off),
    )
