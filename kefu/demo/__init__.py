"""Demo and benchmark data: a realistic store team, made through the same services as the app.

Each domain contributes a step; `fill()` runs them in order. The benchmarks call the same
steps with a larger scale.
"""

from collections.abc import Callable
from dataclasses import dataclass

from kefu.db import Database

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[Database, int, Callable[[int], None]], int]
    size: Callable[[int], int]


def steps() -> list[DemoStep]:
    from kefu.demo import (
        ai,
        analytics,
        chat,
        chat_history,
        commerce,
        commerce_actions,
        feedback,
        helpcenter,
        inbox,
        kb,
        macros,
        phone,
        procedures,
        team,
        workforce,
    )

    return [
        team.STEP,
        inbox.STEP,
        commerce.STEP,
        commerce_actions.STEP,
        macros.STEP,
        procedures.STEP,
        ai.STEP,
        kb.STEP,
        helpcenter.STEP,
        chat.STEP,
        chat_history.STEP,
        phone.STEP,
        feedback.STEP,
        workforce.STEP,
        analytics.STEP,
    ]


def has_data(database: Database) -> bool:
    from kefu.accounts.service import agent_count

    with database.sessions() as session:
        return agent_count(session) > 0
