"""A roster's tables as a scheduler `Problem`, and a `RosterSolution` back as shifts."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.workforce.scheduling import demand, problem, requests, setup
from kefu.workforce.scheduling.models import LabourRules, Roster, Shift, WorkProfile
from kefu.workforce.scheduling.queues import queues_by_id
from kefu.workforce.scheduling.rosters import shifts_of, window_of

LOOK_BACK_DAYS = 7


def horizon_of(roster: Roster) -> problem.Horizon:
    return problem.Horizon(
        start_date=roster.start_date,
        days=roster.days,
        interval_minutes=roster.interval_minutes,
        time_zone=roster.time_zone,
    )


def rules_of(rules: LabourRules | None) -> tuple[problem.LabourRules, problem.ObjectiveWeights]:
    if rules is None:
        return problem.LabourRules(), problem.ObjectiveWeights()
    fair = rules.fair_nights or rules.fair_weekends
    return (
        problem.LabourRules(
            max_minutes_per_day=rules.max_hours_day * 60,
            max_minutes_per_week=rules.max_hours_week * 60,
            min_rest_minutes=rules.min_rest_hours * 60,
            max_consecutive_days=rules.max_consecutive_days,
            min_days_off_per_week=rules.min_days_off_week,
            max_nights_per_week=rules.max_nights_per_week,
            max_weekends_worked=rules.max_weekends_worked,
        ),
        problem.ObjectiveWeights(fairness=60 if fair else 0),
    )


def _templates(session: Session) -> tuple[problem.ShiftTemplate, ...]:
    return tuple(
        problem.ShiftTemplate(
            id=t.id,
            name=t.name,
            start_minutes=tuple(t.start_minutes),
            length_minutes=t.length_minutes,
            breaks=tuple(
                problem.BreakRule(
                    name=b["kind"],
                    length_minutes=b["minutes"],
                    earliest_offset_minutes=b["earliest"],
                    latest_offset_minutes=b["latest"],
                    is_paid=b["kind"] != "lunch",
                )
                for b in sorted(t.breaks, key=lambda b: b["earliest"])
            ),
            weekdays=tuple(t.weekdays),
        )
        for t in setup.list_templates(session, active_only=True)
    )


def placed_breaks(horizon: problem.Horizon, shift: Shift) -> tuple[problem.PlacedBreak, ...]:
    from datetime import datetime

    return tuple(
        problem.PlacedBreak(
            name=b["kind"],
            start_minute=horizon.minute_of(datetime.fromisoformat(b["start_at"])),
            length_minutes=int(
                (
                    datetime.fromisoformat(b["end_at"]) - datetime.fromisoformat(b["start_at"])
                ).total_seconds()
                // 60
            ),
            is_paid=b["kind"] != "lunch",
        )
        for b in shift.breaks or []
    )


def _agent(
    session: Session,
    horizon: problem.Horizon,
    roster: Roster,
    profile: WorkProfile,
    name: str,
    template_ids: set[int],
) -> problem.Agent | None:
    queue_ids = tuple(q for q in profile.queue_ids if q in roster.queue_ids)
    if not queue_ids:
        return None
    window = window_of(roster)
    off = tuple(
        problem.TimeOff(
            start_minute=max(0, horizon.minute_of(r.start_at)),
            end_minute=min(horizon.minutes, horizon.minute_of(r.end_at)),
        )
        for r in requests.approved_time_off(session, window.start_at, window.end_at)
        if r.agent_id == profile.agent_id
    )
    fixed = tuple(
        problem.FixedShift(
            start_minute=horizon.minute_of(s.start_at),
            end_minute=horizon.minute_of(s.end_at),
            template_id=s.template_id if s.template_id in template_ids else None,
            queue_id=s.queue_id if s.queue_id in queue_ids else None,
            breaks=placed_breaks(horizon, s),
        )
        for s in shifts_of(session, roster.id)
        if s.agent_id == profile.agent_id and s.is_manual
    )
    before = session.scalars(
        select(Shift)
        .where(
            Shift.agent_id == profile.agent_id,
            Shift.end_at <= window.start_at,
            Shift.end_at > window.start_at - timedelta(days=LOOK_BACK_DAYS),
        )
        .order_by(Shift.start_at.desc())
    ).all()
    days_before = 0
    worked = {horizon.minute_of(s.start_at) // problem.MINUTES_PER_DAY for s in before}
    while -(days_before + 1) in worked:
        days_before += 1
    allowed = tuple(sorted(template_ids - set(profile.forbidden_template_ids)))
    windows = [(a["weekday"], a["start"], a["end"]) for a in profile.availability]
    return problem.Agent(
        id=profile.agent_id,
        name=name,
        queue_ids=queue_ids,
        min_minutes_per_week=profile.min_hours_week * 60,
        max_minutes_per_week=profile.max_hours_week * 60,
        template_ids=allowed,
        availability=problem.weekly_spans(horizon, windows) if windows else None,
        preferred=tuple(problem.ShiftMatch(template_id=t) for t in profile.preferred_template_ids),
        avoided=tuple(problem.ShiftMatch(weekday=d) for d in profile.preferred_days_off),
        forbidden=tuple(problem.ShiftMatch(weekday=d) for d in profile.forbidden_days),
        time_off=tuple(t for t in off if t.end_minute > t.start_minute),
        fixed_shifts=fixed,
        last_shift_end_minute=horizon.minute_of(before[0].end_at) if before else None,
        days_worked_before=days_before,
    )


def build_problem(session: Session, roster: Roster) -> problem.Problem:
    """Everything the scheduler needs for a roster: requirements from the staffing service,
    active templates, every scheduled agent serving one of its queues (with approved time
    off and the manager's manual shifts kept), and the roster's labour rules."""
    horizon = horizon_of(roster)
    window = window_of(roster)
    queues = queues_by_id(session, roster.queue_ids)
    needed = demand.required_agents(
        session, queue_ids=roster.queue_ids, start_at=window.start_at, end_at=window.end_at
    )
    requirements = tuple(
        problem.Requirement(queue_id=q, interval=horizon.interval_of(at), agents=float(n))
        for (q, at), n in sorted(needed.items())
        if n > 0 and 0 <= horizon.interval_of(at) < horizon.intervals
    )
    templates = _templates(session)
    template_ids = {t.id for t in templates}
    profiles = [p for p in setup.work_profiles(session).values() if p.is_scheduled]
    names = accounts.agents_by_ids(session, [p.agent_id for p in profiles])
    agents = []
    for profile in sorted(profiles, key=lambda p: p.agent_id):
        agent = names.get(profile.agent_id)
        if agent is None or not agent.is_active:
            continue
        built = _agent(session, horizon, roster, profile, agent.name, template_ids)
        if built is not None:
            agents.append(built)
    rules, weights = rules_of(
        setup.get_rules(session, roster.rules_id) if roster.rules_id else None
    )
    return problem.Problem(
        horizon=horizon,
        queues=tuple(problem.Queue(id=q.id, name=q.name) for q in queues.values()),
        requirements=requirements,
        templates=templates,
        agents=tuple(agents),
        rules=rules,
        weights=weights,
    )


def shifts_from(roster: Roster, solution: problem.RosterSolution) -> list[Shift]:
    """The solution's shifts that are not fixed ones (those are in the roster already)."""
    horizon = horizon_of(roster)
    made = []
    for item in solution.shifts:
        if item.is_fixed:
            continue
        made.append(
            Shift(
                roster_id=roster.id,
                agent_id=item.agent_id,
                queue_id=item.queue_id,
                template_id=item.template_id,
                start_at=horizon.at(item.start_minute),
                end_at=horizon.at(item.end_minute),
                breaks=[
                    {
                        "kind": b.name,
                        "start_at": horizon.at(b.start_minute).isoformat(),
                        "end_at": horizon.at(b.end_minute).isoformat(),
                    }
                    for b in item.breaks
                ],
                is_manual=False,
            )
        )
    return made
