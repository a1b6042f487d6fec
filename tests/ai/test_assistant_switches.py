"""An admin's switches (kefu.ai.switches, the AI settings page): the assistant and the
summaries go away when switched off."""

from typing import Any

from kefu.ai import switches
from kefu.db import Database
from kefu.kit.actor import Actor
from tests.ai.assistant_factories import make_shop

SYSTEM = Actor.system()


def test_a_switched_off_assistant_is_hidden_and_answers_nothing(
    client: Any, database: Database
) -> None:
    # given
    make_shop(database)
    with database.unit_of_work(actor=SYSTEM) as session:
        switches.save(session, actor=SYSTEM, on={"intent", "sentiment", "urgency"})
    # when
    config = client.get("/helpcenter/assistant/config").json()
    response = client.post(
        "/helpcenter/assistant/messages",
        json={"site": "lumen", "language": "en", "message": "How do refunds work?"},
    )
    # then
    assert config == {"on": False}
    assert response.status_code == 404
