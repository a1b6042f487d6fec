"""Generating a roster with the scheduler: queued by a manager, run as a job that reports
its progress on the roster row (the page polls it), and stored as the roster's shifts."""

import logging
import time
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from kefu.db import Database
from kefu.errors import Conflict, InvalidInput
from kefu.jobs import enqueue_after_commit
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.workforce.scheduling import convert, problem, rosters, setup
from kefu.workforce.scheduling.schemas import RosterStatus

log = logging.getLogger(__name__)
JOB = "workforce.generate_roster"
MIN_SECONDS, MAX_SECONDS = 1, 600
PROGRESS_EVERY_SECONDS = 0.5


def start_generation(
    session: Session, *, actor: Actor, roster_id: int, time_limit_seconds: int
) -> None:
    """Mark the roster as generating and queue the job after commit; a second request while
    one runs is refused."""
    require(actor, setup.MANAGE)
    if not MIN_SECONDS <= time_limit_seconds <= MAX_SECONDS:
        raise InvalidInput(_("the time limit is 1 to 600 seconds"))
    roster = rosters.get_roster(session, roster_id, lock=True)
    if roster.status == RosterStatus.GENERATING:
        raise Conflict(_("this roster is already being generated"))
    if roster.status == RosterStatus.PUBLISHED:
        raise Conflict(_("a published roster is edited by hand, not regenerated"))
    if not setup.list_templates(session, active_only=True):
        raise InvalidInput(_("add a shift template first"))
    roster.status = RosterStatus.GENERATING.value
    roster.progress = {
        "state": "queued",
        "time_limit_seconds": time_limit_seconds,
        "queued_at": utcnow().isoformat(),
    }
    session.flush()
    enqueue_after_commit(session, JOB, roster_id, time_limit_seconds)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _report(progress: problem.Progress, time_limit: int) -> dict[str, Any]:
    return {
        "state": "solving",
        "time_limit_seconds": time_limit,
        "elapsed_seconds": _rounded(progress.elapsed_seconds, 1),
        "solutions": progress.solutions,
        "gap": _rounded(progress.gap, 4),
        "shortfall_agent_hours": _rounded(progress.shortfall_agent_hours, 2),
        "first_solution_seconds": _rounded(progress.first_solution_seconds, 2),
    }


def solver_report(solution: problem.RosterSolution) -> dict[str, Any]:
    return {
        "status": solution.status.value,
        "shifts": len(solution.shifts),
        "shortfall_agent_hours": round(solution.shortfall_agent_hours, 2),
        "overstaffed_agent_hours": round(solution.overstaffed_agent_hours, 2),
        "objective": solution.objective,
        "best_bound": solution.best_bound,
        "gap": solution.gap,
        "first_solution_seconds": solution.first_solution_seconds,
        "wall_seconds": round(solution.wall_seconds, 2),
        "conflicts": [
            {k: (v.value if k == "rule" else v) for k, v in asdict(c).items()}
            for c in solution.conflicts
        ],
        "finished_at": utcnow().isoformat(),
    }


def run_generation(database: Database, roster_id: int, time_limit_seconds: int) -> None:
    """Build the problem, solve it within the time limit (progress written as it improves),
    and replace the roster's generated shifts; an error leaves the shifts as they were."""
    from kefu.workforce.scheduling.solver import solve

    actor = Actor.job(JOB)
    with database.unit_of_work(actor=actor) as session:
        roster = rosters.get_roster(session, roster_id)
        if roster.status != RosterStatus.GENERATING:
            return  # done already (a job run twice) or cancelled
        roster.progress = {**roster.progress, "state": "building"}
        built = convert.build_problem(session, roster)

    last_write = [0.0]

    def progress(update: problem.Progress) -> None:
        # called on the solver's thread for every better roster: write at most twice a second
        if update.solutions > 1 and time.monotonic() - last_write[0] < PROGRESS_EVERY_SECONDS:
            return
        last_write[0] = time.monotonic()
        with database.unit_of_work(actor=actor) as session:
            rosters.get_roster(session, roster_id).progress = _report(update, time_limit_seconds)

    try:
        built.validate()
        if not built.agents:
            raise InvalidInput(_("no agent has a work profile for these queues"))
        solution = solve(built, time_limit_seconds=time_limit_seconds, progress=progress)
    except (ValueError, InvalidInput) as exc:
        _finish(database, roster_id, {"status": "error", "message": str(exc)}, None)
        return
    except Exception:
        log.exception("generating roster %s failed", roster_id)
        _finish(database, roster_id, {"status": "error", "message": "the scheduler failed"}, None)
        raise
    _finish(database, roster_id, solver_report(solution), solution)


def _finish(
    database: Database,
    roster_id: int,
    report: dict[str, Any],
    solution: problem.RosterSolution | None,
) -> None:
    with database.unit_of_work(actor=Actor.job(JOB)) as session:
        roster = rosters.get_roster(session, roster_id, lock=True)
        if roster.status != RosterStatus.GENERATING:
            return  # cancelled meanwhile
        if solution is not None and solution.shifts:
            rosters.replace_generated_shifts(
                session, roster.id, convert.shifts_from(roster, solution)
            )
        roster.solver = report
        roster.progress = {}
        roster.status = RosterStatus.DRAFT.value


def cancel_generation(session: Session, *, actor: Actor, roster_id: int) -> None:
    """Stop waiting for a generation (its job never ran, or crashed): back to draft; a run
    still going finds the roster no longer generating and stores nothing."""
    require(actor, setup.MANAGE)
    roster = rosters.get_roster(session, roster_id, lock=True)
    if roster.status == RosterStatus.GENERATING:
        roster.status = RosterStatus.DRAFT.value
        roster.progress = {}
        session.flush()
