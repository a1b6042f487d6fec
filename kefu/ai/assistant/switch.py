"""Whether an admin left an AI feature on ("assistant", "summaries"): the switches of
kefu.ai.switches (the AI domain's settings page); every feature is on where they do not
exist yet (this branch was built beside them, issue 12)."""

import importlib

from sqlalchemy.orm import Session


def is_on(session: Session, feature: str) -> bool:
    try:
        switches = importlib.import_module("kefu.ai.switches")
    except ModuleNotFoundError as exc:
        if exc.name != "kefu.ai.switches":
            raise
        return True
    return bool(switches.is_on(session, feature))
