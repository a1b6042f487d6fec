"""An agent edits their own name and email signature."""

from typing import Any

from kefu.accounts import service
from kefu.runtime import Runtime
from tests.accounts.factories import PASSWORD, make_agent
from tests.web.helpers import csrf_token, sign_in


def _save(client: Any, **form: str) -> Any:
    token = csrf_token(client.get("/account/profile").text)
    return client.post("/account/profile", data={**form, "csrf_token": token})


def test_an_agent_saves_their_signature(runtime: Runtime, client: Any) -> None:
    agent = make_agent(runtime.database, email="li@shop.example.com", name="Li Na")
    sign_in(client, "li@shop.example.com", PASSWORD)
    assert "Li Na" in client.get("/account/profile").text
    saved = _save(client, name="Li Na", signature="Li Na\nShop Support")
    assert saved.status_code == 303
    assert "Your profile was saved." in client.get(saved.headers["location"]).text
    with runtime.database.sessions() as session:
        assert service.get_agent(session, agent.id).signature == "Li Na\nShop Support"


def test_a_blank_name_is_refused_and_nothing_changes(runtime: Runtime, client: Any) -> None:
    agent = make_agent(runtime.database, email="li@shop.example.com", name="Li Na")
    sign_in(client, "li@shop.example.com", PASSWORD)
    refused = _save(client, name="  ", signature="New signature")
    assert refused.status_code == 422
    with runtime.database.sessions() as session:
        stored = service.get_agent(session, agent.id)
        assert (stored.name, stored.signature) == ("Li Na", "")
