"""Demo step: shared macros in English and Chinese, and the teams' assignment methods."""

from collections.abc import Callable

from kefu.accounts import service as accounts
from kefu.automation.assignment import service as assignment
from kefu.automation.assignment.schemas import Method, TeamAssignmentIn
from kefu.automation.macros import service as macros
from kefu.automation.macros.schemas import MacroCreate
from kefu.db import Database
from kefu.demo import DemoStep
from kefu.kit.actor import Actor

MACROS = [
    (
        "Parcel on its way",
        "Shipping",
        "Hi {{ customer.first_name|default('there') }},\n\nyour order #{{ order.number }} is "
        "{{ order.tracking_status }} with {{ order.carrier }}: {{ order.tracking_url }}\n\n"
        "{{ agent.signature }}",
        "{{ customer.name|default('您') }}，您好！\n\n您的订单 #{{ order.number }} 目前"
        "{{ order.tracking_status }}（{{ order.carrier }}）：{{ order.tracking_url }}\n\n"
        "{{ agent.signature }}",
        [{"type": "set_status", "status": "pending"}, {"type": "add_tags", "tags": ["wismo"]}],
    ),
    (
        "Parcel delayed: apology",
        "Shipping/Delays",
        "Hi {{ customer.first_name|default('there') }},\n\nI am sorry order #{{ order.number }} "
        "is late. The carrier expects to deliver it within three working days; "
        "we will follow it for you.\n\n{{ agent.signature }}",
        "{{ customer.name|default('您') }}，您好！\n\n很抱歉订单 #{{ order.number }} 延误了。"
        "承运商预计三个工作日内送达，我们会持续跟进。\n\n{{ agent.signature }}",
        [{"type": "add_tags", "tags": ["delay"]}],
    ),
    (
        "Refund done",
        "Refunds",
        "Hi {{ customer.first_name|default('there') }},\n\nwe have refunded {{ order.total }} "
        "for order #{{ order.number }}. It reaches your account in 3–5 working days.\n\n"
        "{{ agent.signature }}",
        "{{ customer.name|default('您') }}，您好！\n\n订单 #{{ order.number }} 已退款 "
        "{{ order.total }}，预计 3–5 个工作日到账。\n\n{{ agent.signature }}",
        [{"type": "set_status", "status": "solved"}],
    ),
    (
        "Escalate to logistics",
        "Internal",
        "Carrier problem on #{{ order.number }} ({{ order.tracking_number }}), "
        "please open a claim. {{ ticket.url }}",
        "",
        [
            {"type": "add_tags", "tags": ["carrier-claim"]},
            {"type": "set_priority", "priority": "high"},
        ],
    ),
]


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    system = Actor.system()
    with database.unit_of_work(actor=system) as session:
        for name, folder, en, zh, actions in MACROS:
            macros.create_macro(
                session,
                actor=system,
                data=MacroCreate(
                    name=name,
                    folder=folder,
                    kind="note" if folder == "Internal" else "reply",
                    bodies={"en": en, "zh-CN": zh},
                    actions=actions,
                ),
            )
            advance(1)
        methods = {"Customer Support": Method.LEAST_LOADED, "售后服务": Method.SKILLS}
        members = accounts.members_by_team(session, actor=system)
        chinese = accounts.ensure_skill(session, actor=system, name="language:zh")
        for team in accounts.list_teams(session, actor=system):
            for agent in members.get(team.id, []) if team.name == "售后服务" else []:
                accounts.set_agent_skill(
                    session, actor=system, agent_id=agent.id, skill_id=chinese.id
                )
            if team.name in methods:
                assignment.update_team_assignment(
                    session,
                    actor=system,
                    team_id=team.id,
                    data=TeamAssignmentIn(method=methods[team.name], default_capacity=25),
                )
    return len(MACROS)


STEP = DemoStep(name="macros", run=run, size=lambda scale: len(MACROS))
