"""The AI pages: the admin's switches, model measures, taxonomy editor and "Train now"; the
AI panel on the ticket page where an agent corrects the intent (audited)."""

from typing import Any

from sqlalchemy import select

from kefu.ai import intents, switches, training
from kefu.ai.intent import IntentClassifier
from kefu.ai.models import IntentDefinition, TicketInsight
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.ai.factories import KEY, settle
from tests.tickets.factories import receive
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_api import token_for

CONFUSION = {"labels": ["cancel_order", "invoice"], "table": [[4, 0], [1, 3]]}
METRICS = {"accuracy": 0.875, "macro_f1": 0.8333, "in_scope_accuracy": 0.875, "test_rows": 8,
           "confusion": CONFUSION}  # fmt: skip


def _admin(client: Any, database: Database) -> str:
    make_agent(database, email="boss@example.com", role=Role.ADMIN)
    sign_in(client, "boss@example.com", PASSWORD)
    return csrf_token(client.get("/admin/ai").text)


def _saved_model(database: Database) -> str:
    """A model saved as `kefu ai train` saves one, with the measures it reports."""
    classifier = IntentClassifier(embedding_weight=0)  # words only: no embedding model needed
    classifier.fit(["cancel my order", "send an invoice"], ["cancel_order", "invoice"])
    with database.unit_of_work() as session:
        data = training.TrainingSet(intents.fingerprint(session), ["a", "b"], ["x", "y"],
                                    training.Labelled(["t"] * 40, ["x"] * 40))  # fmt: skip
        metrics = {"taxonomy": data.fingerprint, **METRICS}
        trained = training.Trained(classifier, data, 0.35, 16, metrics)
        return training.save(session, trained, key=KEY, trained_by="test").version


def test_the_admin_sees_the_model_its_measures_and_the_taxonomy(
    client: Any, database: Database
) -> None:
    _admin(client, database)
    version = _saved_model(database)
    html = client.get("/admin/ai").text
    assert f"Live model {version}" in html and "40 labelled tickets" in html
    assert 'data-metric="accuracy">0.875' in html and 'data-metric="macro_f1">0.833' in html
    assert "Confusion table" in html and '<td class="num ai-hit">4</td>' in html
    # the threshold is named by the score it applies to (a probability here: no "energy")
    assert "“Other” below this confidence" in html and 'data-metric="threshold">0.35' in html
    assert html.count('data-intent="') == 33 and "取消订单" in html
    assert 'href="/admin/ai"' in client.get("/admin").text
    moved = client.get("/settings/ai")
    assert (moved.status_code, moved.headers["location"]) == (308, "/admin/ai")


def test_an_agent_may_not_open_the_ai_settings(client: Any, database: Database) -> None:
    make_agent(database, email="ann@example.com", role=Role.AGENT)
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get("/admin/ai").status_code == 403


def test_switches_are_saved_and_a_bad_endpoint_refused(client: Any, database: Database) -> None:
    token = _admin(client, database)
    # when the admin keeps intent and sentiment only
    saved = client.post("/admin/ai/switches", data={"csrf_token": token,
                                                    "on": ["intent", "sentiment"]})  # fmt: skip
    assert saved.status_code == 303
    with database.sessions() as session:
        on = switches.current(session)
    assert (on.intent, on.sentiment, on.urgency, on.summaries, on.endpoint) == (
        True, True, False, False, False)  # fmt: skip
    # and then switches the endpoint on without an address
    refused = client.post("/admin/ai/switches", data={"csrf_token": token, "on": ["endpoint"]})
    assert refused.status_code == 303
    assert "has no address" in client.get(refused.headers["location"]).text
    with database.sessions() as session:
        assert switches.current(session) == on


def test_train_now_queues_the_training(client: Any, database: Database, runtime: Any) -> None:
    token = _admin(client, database)
    before = runtime.queue.pending_count()
    response = client.post("/admin/ai/train", data={"csrf_token": token})
    assert response.status_code == 303
    assert runtime.queue.pending_count() == before + 1


def test_an_intent_is_added_and_a_bad_one_refused(client: Any, database: Database) -> None:
    token = _admin(client, database)
    form = {"csrf_token": token, "key": "gift_wrapping", "name": "Gift wrapping",
            "name_zh": "礼品包装", "examples_en": "Can you gift wrap it?\n\nAdd a card please",
            "examples_zh": "可以包装吗", "is_active": ["false", "true"]}  # fmt: skip
    bad = client.post("/admin/ai/intents", data=form | {"key": "Gift!"})
    assert bad.status_code == 422 and "lower-case letters" in bad.text
    with database.sessions() as session:
        assert session.scalars(select(IntentDefinition)).first() is None
    assert client.post("/admin/ai/intents", data=form).status_code == 303
    with database.sessions() as session:
        added = intents.get_intent(session, "gift_wrapping")
    assert added.examples == (("en", "Can you gift wrap it?"), ("en", "Add a card please"),
                              ("zh", "可以包装吗"))  # fmt: skip
    page = client.get("/admin/ai/intents/gift_wrapping").text
    assert "Add a card please" in page and "readonly" in page


def test_an_agent_corrects_the_intent_on_the_ticket_page(
    client: Any, database: Database, runtime: Any
) -> None:
    # given a read ticket
    agent = make_agent(database, email="ann@example.com", role=Role.AGENT)
    arrived = receive(database, text="Cancel my order now, this is ridiculous!!")
    settle(database)
    sign_in(client, "ann@example.com", PASSWORD)
    page = client.get(f"/tickets/{arrived.ticket_id}").text
    assert 'data-intent="cancel_order"' in page and 'data-sentiment="negative"' in page
    assert 'data-ai="sentiment">Upset' in client.get("/views/unassigned").text  # inbox badge
    # when the agent says it is a complaint
    token = csrf_token(page)
    done = client.post(f"/tickets/{arrived.ticket_id}/ai/intent",
                       data={"csrf_token": token, "intent": "complaint"})  # fmt: skip
    # then it is set, shown as the agent's, and audited
    assert done.status_code == 303
    assert "set by an agent" in client.get(f"/tickets/{arrived.ticket_id}").text
    with database.sessions() as session:
        insight = session.get(TicketInsight, arrived.ticket_id)
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "ai_ticket_insights")
        ).all()
    assert insight is not None and (insight.intent, insight.intent_set_by) == (
        "complaint",
        agent.id,
    )
    assert [(a.actor_ref, a.changes.get("intent")) for a in audited] == [
        (f"agent:{agent.id}", ["cancel_order", "complaint"])
    ]
    # and an unknown intent is refused with the reason
    bad = client.post(f"/tickets/{arrived.ticket_id}/ai/intent",
                      data={"csrf_token": token, "intent": "nonsense"})  # fmt: skip
    assert "unknown intent" in client.get(bad.headers["location"]).text


def test_the_api_gives_the_reading_and_takes_an_agents_intent(
    client: Any, database: Database, runtime: Any
) -> None:
    headers = token_for(database, make_agent(database, email="ann@example.com", role=Role.AGENT))
    arrived = receive(database, text="Cancel my order now, this is ridiculous!!")
    url = f"/api/v1/tickets/{arrived.ticket_id}/ai"
    assert client.get(url, headers=headers).json()["intent"] is None  # not read yet
    settle(database)
    read = client.get(url, headers=headers).json()
    assert (read["intent"], read["sentiment"], read["intent_source"]) == (
        "cancel_order", "negative", "model")  # fmt: skip
    refused = client.put(url + "/intent", json={"intent": "nonsense"}, headers=headers)
    assert refused.status_code == 422
    done = client.put(url + "/intent", json={"intent": "complaint"}, headers=headers)
    assert done.status_code == 200, done.text
    assert (done.json()["intent"], done.json()["intent_source"]) == ("complaint", "agent")
    assert len(client.get("/api/v1/ai/intents", headers=headers).json()) == 33
