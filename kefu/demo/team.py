"""Demo step: the support team of a store selling in English and Chinese markets."""

import random
from collections.abc import Callable

from kefu.accounts import service
from kefu.accounts.schemas import AgentCreate, TeamCreate
from kefu.db import Database
from kefu.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, DemoStep
from kefu.kit.actor import Actor
from kefu.permissions import Role

TEAMS = [
    ("Customer Support", "Front line: pre-sale questions, orders, delivery"),
    ("售后服务", "After-sales: returns, exchanges, refunds (mainland marketplaces)"),
    ("Logistics", "Carrier claims and delivery problems"),
    ("Finance", "Refund approvals and payment questions (light agents)"),
]
SKILLS = ["English", "中文", "Refunds", "Shopify", "Tmall", "VIP"]
PEOPLE_EN = [
    "Emma Wilson",
    "Liam Carter",
    "Olivia Brooks",
    "Noah Patel",
    "Ava Nguyen",
    "Mason Reyes",
    "Sophia Turner",
    "Lucas Meyer",
]
PEOPLE_ZH = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄婷"]


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    rng = random.Random(20261123)
    system = Actor.system()
    created = 0
    with database.unit_of_work(actor=system) as session:
        admin = service.create_first_admin(
            session,
            data=AgentCreate(
                name="Demo Admin", email=DEMO_ADMIN_EMAIL, password=DEMO_PASSWORD, language="en"
            ),
        )
        actor = service.actor_for(admin)
        session.info["actor"] = actor
        teams = [
            service.create_team(session, actor=actor, data=TeamCreate(name=n, description=d))
            for n, d in TEAMS
        ]
        skills = [service.ensure_skill(session, actor=actor, name=name) for name in SKILLS]
        manager = service.create_agent(
            session,
            actor=actor,
            data=AgentCreate(
                name="周经理 (Manager Zhou)",
                email="manager@example.com",
                password=DEMO_PASSWORD,
                role=Role.MANAGER,
                language="zh_Hans",
            ),
        )
        service.add_team_member(session, actor=actor, team_id=teams[0].id, agent_id=manager.id)
        created += 3
        advance(3)
    agents_wanted = 12 * scale
    for index in range(agents_wanted):
        chinese = index % 2 == 1
        names = PEOPLE_ZH if chinese else PEOPLE_EN
        base = names[(index // 2) % len(names)]
        name = base if index < 2 * len(names) else f"{base} {index}"
        role = Role.LIGHT_AGENT if index % 6 == 5 else Role.AGENT
        with database.unit_of_work(actor=actor) as session:
            agent = service.create_agent(
                session,
                actor=actor,
                data=AgentCreate(
                    name=name,
                    email=f"agent{index + 1}@example.com",
                    password=DEMO_PASSWORD,
                    role=role,
                    language="zh_Hans" if chinese else "en",
                ),
            )
            team = teams[3] if role == Role.LIGHT_AGENT else teams[1 if chinese else 0]
            service.add_team_member(session, actor=actor, team_id=team.id, agent_id=agent.id)
            for skill in rng.sample(skills, 2):
                service.set_agent_skill(
                    session,
                    actor=actor,
                    agent_id=agent.id,
                    skill_id=skill.id,
                    level=rng.randint(2, 5),
                )
        created += 1
        advance(1)
    return created


STEP = DemoStep(name="team", run=run, size=lambda scale: 3 + 12 * scale)
