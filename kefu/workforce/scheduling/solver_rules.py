"""The labour rules of one agent as CP-SAT constraints, each instance nameable in a Conflict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python.cp_model import LinearExpr

from kefu.workforce.scheduling.problem import (
    MINUTES_PER_DAY,
    Agent,
    Conflict,
    Problem,
    Rule,
)

if TYPE_CHECKING:
    from kefu.workforce.scheduling.solver_model import RosterModel
    from kefu.workforce.scheduling.solver_options import AgentOptions


def week_days(problem: Problem, week: int) -> range:
    return range(7 * week, min(7 * week + 7, problem.horizon.days))


def weekly_limits(problem: Problem, agent: Agent, week: int) -> tuple[int, int, int]:
    """(max paid minutes, min paid minutes, max days worked) in a 7-day block; in a shorter
    last block the contract minimum and the days off are prorated, the maximum is not."""
    rules = problem.rules
    days = week_days(problem, week)
    n = len(days)
    cap = rules.max_minutes_per_week
    if agent.max_minutes_per_week is not None:
        cap = min(cap, agent.max_minutes_per_week)
    start, end = days.start * MINUTES_PER_DAY, days.stop * MINUTES_PER_DAY
    credit = 0
    for off in agent.time_off:
        length = off.end_minute - off.start_minute
        overlap = min(end, off.end_minute) - max(start, off.start_minute)
        if length > 0 and overlap > 0:
            credit += off.credited_minutes * overlap // length
    floor = max(0, agent.min_minutes_per_week * n // 7 - credit)
    return cap, floor, n - rules.min_days_off_per_week * n // 7


def weekend_of(problem: Problem, day: int) -> tuple[int, int]:
    """The ISO (year, week) a weekend day belongs to, so Saturday and Sunday count as one."""
    moment = problem.horizon.start_date.toordinal() + day
    iso = type(problem.horizon.start_date).fromordinal(moment).isocalendar()
    return iso[0], iso[1]


class RuleBook:
    """Adds every rule instance of each agent; keeps their night and weekend totals."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.nights: list = []
        self.weekend_days: list = []

    def add_agent_rules(self, rm: RosterModel, a: int, options: AgentOptions) -> None:
        if not options.by_day:
            self._contract_only(rm, options.agent)
            return
        self._weeks(rm, a, options)
        self._consecutive(rm, a, options)
        self._rest(rm, a, options)
        self._weekends(rm, a, options)

    def _contract_only(self, rm: RosterModel, agent: Agent) -> None:
        """An agent with no possible shift still owes contract hours: report it when they do."""
        for week in range(self.problem.horizon.weeks):
            _, floor, _ = weekly_limits(self.problem, agent, week)
            if floor > 0:
                rm.hard(
                    rm.model.add_bool_or([]),
                    lambda week=week, floor=floor: Conflict(
                        Rule.CONTRACT_MINUTES,
                        f"{agent.name} has no shift they may work in week {week + 1} "
                        f"but a contract of {floor} minutes",
                        agent_id=agent.id,
                        week=week,
                        day=7 * week,
                    ),
                )

    def _weeks(self, rm: RosterModel, a: int, options: AgentOptions) -> None:
        problem, rules, agent = self.problem, self.problem.rules, options.agent
        shapes = rm.options.shapes
        night_vars = []
        for week in range(problem.horizon.weeks):
            cap, floor, max_days = weekly_limits(problem, agent, week)
            xs, paid, nights, works = [], [], [], []
            for day in week_days(problem, week):
                if (a, day) in rm.work:
                    works.append(rm.work[a, day])
                for s in options.by_day.get(day, ()):
                    xs.append(rm.x[a, s])
                    paid.append(shapes[s].paid)
                    if shapes[s].is_night:
                        nights.append(rm.x[a, s])
            night_vars += nights
            minutes = LinearExpr.weighted_sum(xs, paid)
            where = {"agent_id": agent.id, "week": week, "day": 7 * week}
            rm.hard(
                rm.model.add(minutes <= cap),
                lambda cap=cap, where=where: Conflict(
                    Rule.MAX_MINUTES_PER_WEEK,
                    f"{agent.name} would work over {cap} paid minutes in week {where['week'] + 1}",
                    **where,
                ),
            )
            if floor > 0:
                rm.hard(
                    rm.model.add(minutes >= floor),
                    lambda floor=floor, where=where: Conflict(
                        Rule.CONTRACT_MINUTES,
                        f"{agent.name} cannot reach the contract's {floor} paid minutes in "
                        f"week {where['week'] + 1}",
                        **where,
                    ),
                )
            if len(works) > max_days:
                rm.hard(
                    rm.model.add(LinearExpr.sum(works) <= max_days),
                    lambda max_days=max_days, where=where: Conflict(
                        Rule.MIN_DAYS_OFF,
                        f"{agent.name} would get fewer days off than the rules give in week "
                        f"{where['week'] + 1} (at most {max_days} working days)",
                        **where,
                    ),
                )
            cap_nights = rules.max_nights_per_week
            if cap_nights is not None and len(nights) > cap_nights:
                rm.hard(
                    rm.model.add(LinearExpr.sum(nights) <= cap_nights),
                    lambda where=where, cap_nights=cap_nights: Conflict(
                        Rule.MAX_NIGHTS,
                        f"{agent.name} would work over {cap_nights} nights in week "
                        f"{where['week'] + 1}",
                        **where,
                    ),
                )
        if night_vars:
            self.nights.append(LinearExpr.sum(night_vars))

    def _consecutive(self, rm: RosterModel, a: int, options: AgentOptions) -> None:
        agent, days = options.agent, self.problem.horizon.days
        limit = self.problem.rules.max_consecutive_days
        before = min(agent.days_worked_before, limit)
        for first in range(-before, days - limit):
            window = [
                rm.work[a, d] for d in range(max(first, 0), first + limit + 1) if (a, d) in rm.work
            ]
            allowed = limit - max(0, -first)
            if len(window) <= allowed:
                continue
            rm.hard(
                rm.model.add(LinearExpr.sum(window) <= allowed),
                lambda first=first: Conflict(
                    Rule.MAX_CONSECUTIVE_DAYS,
                    f"{agent.name} would work more than {limit} days in a row "
                    f"(days {max(first, 0) + 1}–{first + limit + 1})",
                    agent_id=agent.id,
                    day=max(first, 0),
                ),
            )

    def _rest(self, rm: RosterModel, a: int, options: AgentOptions) -> None:
        """Between the shifts of days d and d+k the rest is at least min_rest (and ≥ 0)."""
        shapes, agent = rm.options.shapes, options.agent
        rest = max(0, self.problem.rules.min_rest_minutes)
        days = sorted(options.by_day)
        for d in days:
            latest_end = max(shapes[s].end for s in options.by_day[d])
            ends = [rm.x[a, s] for s in options.by_day[d]]
            end_minutes = [shapes[s].end for s in options.by_day[d]]
            for e in days:
                if e <= d:
                    continue
                if e * MINUTES_PER_DAY - latest_end >= rest:
                    break  # every shift of day e or later starts late enough
                if min(shapes[s].start for s in options.by_day[e]) - latest_end >= rest:
                    continue
                starts = [rm.x[a, s] for s in options.by_day[e]]
                start_minutes = [shapes[s].start for s in options.by_day[e]]
                gap = LinearExpr.weighted_sum(starts, start_minutes) - LinearExpr.weighted_sum(
                    ends, end_minutes
                )
                rm.hard(
                    rm.model.add(gap >= rest),
                    lambda e=e: Conflict(
                        Rule.MIN_REST,
                        f"{agent.name} would rest less than {rest} minutes before their shift "
                        f"on day {e + 1}",
                        agent_id=agent.id,
                        day=e,
                    ),
                    enforce=(rm.work[a, d], rm.work[a, e]),
                )

    def _weekends(self, rm: RosterModel, a: int, options: AgentOptions) -> None:
        agent, rules = options.agent, self.problem.rules
        weekends: dict[tuple[int, int], list] = {}
        for day in sorted(options.by_day):
            if self.problem.horizon.weekday(day) in rules.weekend_days:
                weekends.setdefault(weekend_of(self.problem, day), []).append(rm.work[a, day])
        if not weekends:
            return
        self.weekend_days.append(LinearExpr.sum([w for ws in weekends.values() for w in ws]))
        cap = rules.max_weekends_worked
        if cap is None or len(weekends) <= cap:
            return
        worked = []
        for key, days in weekends.items():
            any_day = rm.weekends_worked[a, key] = rm.model.new_bool_var("")
            for w in days:
                rm.model.add_implication(w, any_day)
            worked.append(any_day)
        rm.hard(
            rm.model.add(LinearExpr.sum(worked) <= cap),
            lambda: Conflict(
                Rule.MAX_WEEKENDS,
                f"{agent.name} would work more than {cap} weekends",
                agent_id=agent.id,
            ),
        )
