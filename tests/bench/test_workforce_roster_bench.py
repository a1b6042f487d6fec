"""The roster benchmark runs end to end at a tiny scale and reports the proven gap."""

from bench.workforce_roster import model_size, run, section
from bench.workforce_roster_data import SEED, build_problem
from kefu.workforce.scheduling.solver_check import objective


def test_the_benchmark_reports_first_roster_bound_gap_and_shortfall() -> None:
    # given 10 agents for one week
    problem = build_problem(10, 1, SEED)

    # when it runs with a short time limit
    size = model_size(problem)
    solution, trace = run(problem, 15)
    lines = section(problem, size, solution, trace, 15, SEED)

    # then the roster is reported with a bound below it, and every figure has its row
    assert solution.best_bound is not None and solution.bound_seconds is not None
    assert solution.best_bound <= objective(problem, solution.shifts) == solution.objective
    text = "\n".join(lines)
    assert lines[0] == "## Workforce roster"
    for row in (
        "| first feasible roster (first planning pass) |",
        "| proven lower bound on the objective |",
        "| time to the reported gap (first roster reported with the proven bound) |",
        "| gap to the proven bound at the end |",
        "| coverage shortfall (under-coverage) |",
        "| labour-rule violations in the roster (checked independently) | 0 |",
    ):
        assert row in text
    assert "load average" in lines[2]
