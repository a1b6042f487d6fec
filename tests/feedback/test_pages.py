"""The customer's survey page (GET shows, POST records), the rating on the ticket page, the
settings page and the report."""

from typing import Any

from sqlalchemy import func, select

from kefu.compliance.models import AuditEntry
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerUpdate
from kefu.events import Event
from kefu.feedback.models import CsatRating, FeedbackSettings
from kefu.kit.actor import Actor
from kefu.runtime import Runtime
from kefu.tickets import service as tickets
from kefu.tickets.models import Message
from tests.accounts.factories import PASSWORD, make_agent
from tests.feedback.factories import (
    agent,
    enable_csat,
    later,
    send_due,
    solved_ticket,
    surveys_of,
    token_for,
)
from tests.web.helpers import csrf_token, sign_in


def _surveyed(runtime: Runtime) -> tuple[int, int]:
    database = runtime.database
    enable_csat(database)
    ticket_id = solved_ticket(database, actor=agent(database))
    send_due(database, now=later(61), settings=runtime.settings)
    return ticket_id, surveys_of(database, ticket_id)[0].id


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.database.sessions() as session:
        ratings = session.scalar(select(func.count(CsatRating.id))) or 0
        events = (
            session.scalar(select(func.count(Event.id)).where(Event.type == "csat.received")) or 0
        )
    return ratings, events


def test_opening_the_link_shows_the_choice_and_records_nothing(
    client: Any, runtime: Runtime
) -> None:
    # given
    _, survey_id = _surveyed(runtime)
    token = token_for(survey_id, runtime.settings)
    # when: a mail scanner (or the customer) opens the link, twice
    first = client.get(f"/feedback/csat/{token}?rating=bad")
    client.get(f"/feedback/csat/{token}?rating=good")
    # then
    assert first.status_code == 200
    assert 'value="bad" checked' in first.text
    assert ">Submit<" in first.text
    assert _counts(runtime) == (0, 0)


def test_submitting_records_and_a_second_answer_changes_it(client: Any, runtime: Runtime) -> None:
    # given
    ticket_id, survey_id = _surveyed(runtime)
    token = token_for(survey_id, runtime.settings)
    page = client.get(f"/feedback/csat/{token}?rating=bad")
    # when
    done = client.post(
        f"/feedback/csat/{token}",
        data={
            "csrf_token": csrf_token(page.text),
            "rating": "bad",
            "comment": "Still broken",
            "reason": "unsolved",
        },
    )
    again = client.post(
        f"/feedback/csat/{token}", data={"csrf_token": csrf_token(page.text), "rating": "good"}
    )
    # then
    assert done.status_code == 200 and "Your answer is recorded" in done.text
    assert again.status_code == 200
    with runtime.database.sessions() as session:
        [row] = session.scalars(select(CsatRating)).all()
        history = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == str(row.id)).order_by(AuditEntry.id)
        ).all()
    assert (row.ticket_id, row.rating, row.comment, row.changes) == (ticket_id, "good", "", 1)
    assert _counts(runtime) == (1, 2)
    history = [h for h in history if "rating" in h.changes]
    assert [h.actor_ref for h in history] == ["system:customer (survey link)"] * 2
    assert history[1].changes["rating"] == ["bad", "good"]


def test_altered_expired_and_wrong_kind_links_are_refused(client: Any, runtime: Runtime) -> None:
    _, survey_id = _surveyed(runtime)
    good = token_for(survey_id, runtime.settings)
    expired = token_for(survey_id, runtime.settings, days=-1)
    nps_kind = token_for(survey_id, runtime.settings, kind="n")
    page = client.get(f"/feedback/csat/{good}")
    for token in (good[:-2] + "xx", expired, nps_kind, "nonsense"):
        assert client.get(f"/feedback/csat/{token}").status_code == 404
        posted = client.post(
            f"/feedback/csat/{token}", data={"csrf_token": csrf_token(page.text), "rating": "bad"}
        )
        assert posted.status_code == 404
    refused = client.post(
        f"/feedback/csat/{good}", data={"csrf_token": csrf_token(page.text), "rating": "meh"}
    )
    assert refused.status_code == 422 and "choose good or bad" in refused.text
    assert _counts(runtime) == (0, 0)


def test_the_rating_shows_on_the_ticket_page(client: Any, runtime: Runtime) -> None:
    # given
    ticket_id, survey_id = _surveyed(runtime)
    token = token_for(survey_id, runtime.settings)
    page = client.get(f"/feedback/csat/{token}")
    client.post(
        f"/feedback/csat/{token}",
        data={"csrf_token": csrf_token(page.text), "rating": "bad", "comment": "Too slow"},
    )
    # when
    sign_in(client, "ann@example.com", PASSWORD)
    html = client.get(f"/tickets/{ticket_id}").text
    # then
    assert 'id="csat-panel"' in html
    assert 'data-rating="bad"' in html and "Too slow" in html


def test_a_manager_saves_the_survey_settings(client: Any, runtime: Runtime) -> None:
    # given
    make_agent(runtime.database, email="mia@example.com", name="Mia", role="manager")
    sign_in(client, "mia@example.com", PASSWORD)
    page = client.get("/admin/feedback")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_token(page.text),
        "csat_enabled": "1",
        "delay": "2",
        "delay_unit": "hours",
        "csat_channels": ["email", "chat"],
        "csat_scale": "five",
        "csat_reasons": "slow | Too slow | 太慢\nrude | Rude | 态度差",
        "link_days": "7",
    }
    # when
    saved = client.post("/admin/feedback", data=form)
    refused = client.post("/admin/feedback", data={**form, "csat_reasons": "no pipes"})
    # then
    assert saved.status_code == 303
    assert refused.status_code == 422
    with runtime.database.sessions() as session:
        row = session.get_one(FeedbackSettings, 1)
    assert (row.csat_enabled, row.csat_delay_minutes, row.csat_scale, row.link_days) == (
        True,
        120,
        "five",
        7,
    )
    assert row.csat_channels == ["email", "chat"]
    assert row.csat_reasons == [
        {"key": "slow", "en": "Too slow", "zh": "太慢"},
        {"key": "rude", "en": "Rude", "zh": "态度差"},
    ]


def test_agents_may_not_change_settings(client: Any, runtime: Runtime) -> None:
    make_agent(runtime.database, email="ann@example.com", name="Ann")
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get("/admin/feedback").status_code == 403


def test_five_point_scale_in_chinese_for_a_chinese_customer(client: Any, runtime: Runtime) -> None:
    # given: a 1–5 survey to a customer who reads Chinese
    database = runtime.database
    enable_csat(database, csat_scale="five")
    ticket_id = solved_ticket(database, actor=agent(database), email="zhang@example.com")
    with database.unit_of_work(actor=Actor.system()) as session:
        requester = tickets.get_ticket(session, ticket_id).requester_id
        customers.update_customer(
            session,
            actor=Actor.system(),
            customer_id=requester,
            data=CustomerUpdate(language="zh_Hans"),
        )
    send_due(database, now=later(61), settings=runtime.settings)
    [survey] = surveys_of(database, ticket_id)
    token = token_for(survey.id, runtime.settings)
    # when
    with database.sessions() as session:
        mail = session.get_one(Message, survey.message_id).body_text
    page = client.get(f"/feedback/csat/{token}?score=2")
    posted = client.post(
        f"/feedback/csat/{token}",
        data={"csrf_token": csrf_token(page.text), "score": "2", "reason": "slow"},
    )
    # then
    assert mail.startswith("Emily Chen，您好：")
    assert "2 分（满分 5 分）: http://testserver/feedback/csat/" in mail
    assert 'value="2" checked' in page.text and "回复太慢" in page.text
    assert posted.status_code == 200
    with database.sessions() as session:
        [row] = session.scalars(select(CsatRating)).all()
    assert (row.rating, row.score, row.reason) == ("bad", 2, "slow")
