"""Demo step: the team's procedures — business hours in New York and Shanghai, SLA policies
for VIPs and everyone else, triggers that escalate and report breaches, and the classic
pending/solved automations."""

from collections.abc import Callable
from typing import Any

from kefu.accounts import service as accounts
from kefu.automation.rules.service import RuleIn, create_rule
from kefu.automation.rules.templates_catalog import AUTOMATION_TEMPLATES
from kefu.db import Database
from kefu.demo import DemoStep
from kefu.kit.actor import Actor
from kefu.sla.business_hours import create_schedule
from kefu.sla.policies import create_policy
from kefu.sla.schemas import HolidayIn, IntervalIn, PolicyConditions, PolicyIn, ScheduleIn

WEEKDAYS = range(5)


def _hours(days: range | list[int], start: str, end: str) -> list[IntervalIn]:
    return [IntervalIn(weekday=day, start=start, end=end) for day in days]


def _schedules(session: Any, actor: Actor, teams: dict[str, int]) -> None:
    create_schedule(
        session,
        actor=actor,
        data=ScheduleIn(
            name="Support desk (New York)",
            time_zone="America/New_York",
            intervals=[*_hours(WEEKDAYS, "09:00", "18:00"), *_hours([5], "10:00", "16:00")],
            holidays=[
                HolidayIn(name="New Year's Day", on="01-01"),
                HolidayIn(name="Independence Day", on="07-04"),
                HolidayIn(name="Thanksgiving", on="2026-11-26"),
                HolidayIn(name="Christmas Day", on="12-25"),
            ],
            is_default=True,
        ),
    )
    create_schedule(
        session,
        actor=actor,
        data=ScheduleIn(
            name="售后服务 (上海)",
            time_zone="Asia/Shanghai",
            intervals=_hours(range(7), "09:00", "21:00"),
            holidays=[
                HolidayIn(name="春节", on="2027-02-06"),
                HolidayIn(name="春节", on="2027-02-07"),
                HolidayIn(name="春节", on="2027-02-08"),
                HolidayIn(name="国庆节", on="10-01"),
            ],
            team_ids=[teams["售后服务"]] if "售后服务" in teams else [],
        ),
    )


def _policies(session: Any, actor: Actor) -> None:
    create_policy(
        session,
        actor=actor,
        data=PolicyIn(
            name="VIP customers",
            conditions=PolicyConditions(vip=True),
            targets={
                "first_reply": {"urgent": 15, "high": 30, "normal": 60, "low": 120},
                "next_reply": {"urgent": 30, "high": 60, "normal": 120, "low": 240},
                "resolution": {"urgent": 240, "high": 480, "normal": 1440, "low": 2880},
            },
            hours="calendar",
            warn_minutes=10,
        ),
    )
    create_policy(
        session,
        actor=actor,
        data=PolicyIn(
            name="Everyone",
            targets={
                "first_reply": {"urgent": 60, "high": 120, "normal": 240, "low": 480},
                "next_reply": {"urgent": 120, "high": 240, "normal": 480, "low": 960},
                "periodic_update": {"urgent": 240, "high": 480},
                "resolution": {"urgent": 960, "high": 1440, "normal": 2880, "low": 4320},
            },
            hours="business",
            warn_minutes=30,
        ),
    )


def _rules(session: Any, actor: Actor, teams: dict[str, int], manager_id: int | None) -> int:
    rules = [
        RuleIn(
            kind="trigger",
            name="VIP and urgent → after-sales leads, tag escalated",
            is_active=True,
            events=["ticket.created", "message.added"],
            conditions={
                "all": [
                    {"field": "customer.is_vip", "op": "is", "value": True},
                    {"field": "priority", "op": "is", "value": "urgent"},
                    {"field": "tags", "op": "not_contains", "value": "escalated"},
                ],
                "any": [],
            },
            actions=[
                {"type": "assign", "team_id": teams.get("售后服务")},
                {"type": "add_tags", "tags": ["escalated"]},
            ],
        ),
        RuleIn(
            kind="trigger",
            name="Complaint words → high priority",
            is_active=True,
            events=["ticket.created"],
            conditions={
                "all": [{"field": "priority", "op": "is", "value": "normal"}],
                "any": [
                    {"field": "message.text", "op": "matches", "value": "(?i)complain|lawyer|投诉"},
                ],
            },
            actions=[{"type": "set_priority", "priority": "high"}],
        ),
    ]
    if manager_id is not None:
        rules.append(
            RuleIn(
                kind="trigger",
                name="SLA breached → tell the manager",
                is_active=True,
                events=["sla.breached"],
                conditions={"all": [], "any": []},
                actions=[{"type": "notify", "agent_id": manager_id, "message": "SLA breached"}],
            )
        )
    for key in ("pending_solve", "solved_close"):
        template = AUTOMATION_TEMPLATES[key]
        rules.append(
            RuleIn(
                kind="automation",
                name=str(template["name"]),
                is_active=True,
                conditions=template["conditions"],
                actions=template["actions"],
            )
        )
    for rule in rules:
        create_rule(session, actor=actor, data=rule)
    return len(rules)


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    system = Actor.system()
    with database.unit_of_work(actor=system) as session:
        teams = {t.name: t.id for t in accounts.list_teams(session, actor=system)}
        manager = accounts.find_agent_by_email(session, "manager@example.com")
        _schedules(session, system, teams)
        _policies(session, system)
        made = 4 + _rules(session, system, teams, manager.id if manager else None)
    advance(made)
    return made


STEP = DemoStep(name="procedures", run=run, size=lambda scale: 9)
