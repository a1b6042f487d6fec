"""Build a roster with OR-Tools CP-SAT: `solve(problem, time_limit_seconds=…, progress=…)`.

The objective puts under-coverage first (per agent-minute short), then over-coverage, then
preferences and the fair share of nights and weekends (`ObjectiveWeights`). Labour rules are hard;
when they contradict each other the solution is INFEASIBLE and carries `explain`'s conflicts.
A roster built agent by agent (`solver_start`) is the first solution and CP-SAT's hint; right
after it the linear relaxation (`solver_bound`) gives a proven lower bound, so every later roster
is reported with a sound gap, and CP-SAT's own bound replaces it when it is better.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from kefu.workforce.scheduling.explain import explain, shortfall_conflicts
from kefu.workforce.scheduling.problem import Problem, Progress, RosterSolution, SolveStatus
from kefu.workforce.scheduling.solver_bound import lower_bound
from kefu.workforce.scheduling.solver_check import coverage, objective, under_over_minutes
from kefu.workforce.scheduling.solver_extract import extract_shifts
from kefu.workforce.scheduling.solver_model import RosterModel, build_model
from kefu.workforce.scheduling.solver_options import build_options
from kefu.workforce.scheduling.solver_start import add_hints, construct, shifts_of

WORKERS = 2  # the machines kefu targets have 2 cores; more workers only time-slice them
PLANNING_SHARE = 0.5  # of the time limit for planning agent by agent; CP-SAT gets the rest

__all__ = ["explain", "solve"]


def gap_of(objective: float, bound: float | None) -> float | None:
    return None if bound is None else abs(objective - bound) / max(1.0, abs(objective))


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Hands every improving roster's figures to `progress` (called on the solver's thread)."""

    def __init__(self, rm: RosterModel | None, progress, started: float, bound: float) -> None:
        super().__init__()
        self.rm, self.progress, self.started = rm, progress, started
        self.solutions = 0
        self.first_seconds: float | None = None
        self.bound, self.bound_seconds = bound, None  # the best proven bound so far
        self.lock = threading.Lock()

    def proven(self, bound: float) -> None:
        if not math.isfinite(bound):
            return
        with self.lock:
            if self.bound_seconds is None or bound > self.bound:
                self.bound, self.bound_seconds = bound, time.monotonic() - self.started

    def report(self, objective: float, short_minutes: int, phase: str = "planning") -> None:
        elapsed = time.monotonic() - self.started
        with self.lock:
            self.solutions += 1
            if self.first_seconds is None:
                self.first_seconds = elapsed
            bound, bound_seconds = self.bound, self.bound_seconds
        if self.progress is not None:
            self.progress(
                Progress(
                    elapsed_seconds=elapsed,
                    solutions=self.solutions,
                    objective=objective,
                    best_bound=bound,
                    gap=abs(objective - bound) / max(1.0, abs(objective)),
                    shortfall_agent_hours=short_minutes / 60,
                    first_solution_seconds=self.first_seconds or elapsed,
                    phase=phase,
                    bound_seconds=bound_seconds,
                )
            )

    def on_solution_callback(self) -> None:
        short = sum(self.value(v) for v in self.rm.under.values())
        if self.best_objective_bound > self.bound:
            self.proven(self.best_objective_bound)
        self.report(self.objective_value, short, "cp-sat")


def solve(
    problem: Problem,
    *,
    time_limit_seconds: float,
    progress: Callable[[Progress], None] | None = None,
    workers: int = WORKERS,
    seed: int = 0,
) -> RosterSolution:
    """The best roster found within the time limit (labour rules hard, coverage soft).

    Raises ValueError for a malformed problem (unknown queue, empty break window …).
    """
    started, time_limit = time.monotonic(), time_limit_seconds
    options = build_options(problem)
    if options.conflicts:
        return _infeasible(problem, started, explain(problem, time_limit_seconds=time_limit))
    reporter = _Reporter(None, progress, started, _trivial_bound(problem, options))
    proving: list[threading.Thread] = []

    def prove() -> None:
        left = time_limit - (time.monotonic() - started)
        found = lower_bound(problem, options, time_limit_seconds=max(1.0, left))
        if found is not None:
            reporter.proven(found.value)

    def report_pass(picks) -> None:
        shifts = shifts_of(options, picks)
        reporter.report(objective(problem, shifts), under_over_minutes(problem, shifts)[0])
        if not proving:  # after the first roster: prove a bound on the other core, once
            proving.append(threading.Thread(target=prove, name="roster-bound", daemon=True))
            proving[0].start()

    picks, infeasible = construct(
        problem, options, deadline=started + time_limit * PLANNING_SHARE, on_pass=report_pass
    )
    if infeasible:
        found = explain(problem, time_limit_seconds=time_limit, agents=infeasible)
        return _infeasible(problem, started, found)
    rm = reporter.rm = build_model(problem, options)
    add_hints(rm, picks)
    first = shifts_of(options, picks)
    first_objective = objective(problem, first)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, time_limit - (time.monotonic() - started))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_probing_level = 0  # probing costs more than it gives here
    status = solver.solve(rm.model, reporter)
    for thread in proving:  # the LP stops at the time limit by itself
        thread.join(timeout=max(1.0, time_limit - (time.monotonic() - started)) + 5.0)
    if status == cp_model.INFEASIBLE:  # the constructed roster says otherwise: never expected
        return _infeasible(problem, started, explain(problem, time_limit_seconds=time_limit))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        shifts, value = extract_shifts(rm, solver.value), solver.objective_value
        reporter.proven(solver.best_objective_bound)
    elif all(a in picks for a, o in enumerate(options.agents) if o.by_day):
        shifts, value = tuple(first), float(first_objective)  # the planned roster stands
    else:  # an agent could not even be planned in time: no roster that keeps every rule
        under, over = under_over_minutes(problem, ())
        return RosterSolution(
            SolveStatus.UNKNOWN, (), coverage(problem, ()), under / 60, over / 60,
            None, None, None, reporter.first_seconds, time.monotonic() - started,
        )  # fmt: skip
    under, over = under_over_minutes(problem, shifts)
    bound = reporter.bound if reporter.bound_seconds is not None else None
    return RosterSolution(
        status=SolveStatus.OPTIMAL if status == cp_model.OPTIMAL else SolveStatus.FEASIBLE,
        shifts=shifts,
        coverage=coverage(problem, shifts),
        shortfall_agent_hours=under / 60,
        overstaffed_agent_hours=over / 60,
        objective=value,
        best_bound=bound,
        gap=gap_of(value, bound),
        first_solution_seconds=reporter.first_seconds,
        wall_seconds=time.monotonic() - started,
        conflicts=tuple(shortfall_conflicts(problem, shifts)),
        bound_seconds=reporter.bound_seconds if bound is not None else None,
    )


def _trivial_bound(problem: Problem, options) -> float:
    """No roster scores below this: every agent-day on a preferred shift, nothing else."""
    days = sum(len(a.by_day) for a in options.agents if a.agent.preferred)
    return float(-problem.weights.preference * days)


def _infeasible(problem: Problem, started: float, conflicts) -> RosterSolution:
    under, over = under_over_minutes(problem, ())
    return RosterSolution(
        SolveStatus.INFEASIBLE, (), coverage(problem, ()), under / 60, over / 60,
        None, None, None, None, time.monotonic() - started, tuple(conflicts),
    )  # fmt: skip
