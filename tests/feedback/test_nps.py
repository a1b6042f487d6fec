"""NPS campaigns: audience, sample, throttle across campaigns, opt-outs, the answers, the
detractor's follow-up ticket and the score against a hand count."""

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from kefu.commerce.unsubscribe import opt_out
from kefu.config import secret_key
from kefu.customers.schemas import CustomerCreate
from kefu.customers.service import create_customer
from kefu.db import Database
from kefu.feedback import nps, nps_mail, reports
from kefu.feedback.models import NpsCampaign, NpsSurvey
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime
from kefu.tickets import service as tickets
from tests.commerce.actions_factories import make_order, make_store
from tests.feedback.factories import MANAGER, enable_csat, token_for
from tests.web.helpers import csrf_token

NOW = utcnow()


def _customers(database: Database, count: int) -> list[int]:
    with database.unit_of_work(actor=Actor.system()) as session:
        return [
            create_customer(
                session,
                actor=Actor.system(),
                data=CustomerCreate(name=f"Customer {i}", emails=[f"c{i}@example.com"]),
            ).id
            for i in range(count)
        ]


def _campaign(database: Database, store_id: int, **values: Any) -> int:
    data = nps.NpsCampaignIn.model_validate(
        {"name": "NPS", "store_id": store_id, "audience": "all", "throttle_days": 30, **values}
    )
    with database.unit_of_work(actor=MANAGER) as session:
        return nps.create_campaign(session, actor=MANAGER, data=data).id


def _run(database: Database, *, now: Any) -> dict[int, dict[str, int]]:
    with database.unit_of_work(actor=Actor.job("feedback.run_nps")) as session:
        return {k: dict(v) for k, v in nps.run_campaigns(session, now=now).items()}


def _answer(database: Database, survey_id: int, score: int, comment: str = "") -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        nps.record_answer(session, survey_id=survey_id, score=score, comment=comment, now=NOW)


def _surveys(database: Database) -> list[NpsSurvey]:
    with database.sessions() as session:
        return list(session.scalars(select(NpsSurvey).order_by(NpsSurvey.id)))


def test_campaign_to_1000_customers_asks_each_once_within_the_throttle(database: Database) -> None:
    # given: 1,000 customers, ten of them opted out of the store's mail; two campaigns
    ids = _customers(database, 1000)
    store_id = make_store(database)
    with database.unit_of_work() as session:
        for customer_id in ids[:10]:
            opt_out(session, customer_id=customer_id, store_id=store_id)
    first = _campaign(database, store_id)
    second = _campaign(database, store_id, name="Second", throttle_days=60)
    # when: the job runs hourly for two days, then a month later
    results = [_run(database, now=NOW + timedelta(hours=h)) for h in range(0, 48, 6)]
    later = _run(database, now=NOW + timedelta(days=31))
    # then
    assert results[0][first] == {"audience": 1000, "not_sampled": 0, "queued": 990, "opted_out": 10}
    assert results[0][second] == {
        "audience": 1000,
        "not_sampled": 0,
        "throttled": 990,
        "opted_out": 10,
    }
    assert sum(len(r) for r in results) == 4  # each campaign runs once a day
    with database.sessions() as session:
        per_customer = session.execute(
            select(NpsSurvey.customer_id, func.count(NpsSurvey.id))
            .where(NpsSurvey.sent_at < NOW + timedelta(days=30))
            .group_by(NpsSurvey.customer_id)
        ).all()
    assert len(per_customer) == 990 and max(n for _, n in per_customer) == 1
    assert later[first]["queued"] == 990  # the first campaign's 30 days are over
    assert later[second]["throttled"] == 990  # asked by any campaign within 60 days


def test_nps_equals_a_hand_count(database: Database) -> None:
    # given: 110 answers, ten of each score 0–10
    ids = _customers(database, 120)
    store_id = make_store(database)
    _campaign(database, store_id)
    _run(database, now=NOW)
    surveys = _surveys(database)
    for i, survey in enumerate(surveys[:110]):
        _answer(database, survey.id, i % 11)
    # when
    with database.sessions() as session:
        figures = reports.nps_figures(
            session, since=NOW - timedelta(days=1), until=NOW + timedelta(days=1)
        )
    # then: promoters 9–10 = 20, passives 7–8 = 20, detractors 0–6 = 70; (20 − 70) / 110
    assert len(ids) == len(surveys) == 120
    assert figures == {
        "answered": 110,
        "promoters": 20,
        "passives": 20,
        "detractors": 70,
        "nps": -45.5,
        "sent": 120,
        "response_rate": 91.7,
    }


def test_sample_is_stable_and_delivered_audience_is_recent(database: Database) -> None:
    # given: one delivery 5 days ago, one 30 days ago; plus 200 customers for the sample
    store_id = make_store(database)
    make_order(
        database,
        store_id=store_id,
        email="recent@example.com",
        number="1",
        delivered_at=NOW - timedelta(days=5),
        placed_at=NOW - timedelta(days=9),
    )
    make_order(
        database,
        store_id=store_id,
        email="old@example.com",
        number="2",
        delivered_at=NOW - timedelta(days=30),
        placed_at=NOW - timedelta(days=35),
    )
    ids = _customers(database, 200)
    delivered = _campaign(database, store_id, audience="delivered", delivered_within_days=14)
    sampled = _campaign(database, store_id, name="Sampled", sample_percent=30, throttle_days=0)
    # when
    result = _run(database, now=NOW)
    # then
    emails = {s.email for s in _surveys(database) if s.campaign_id == delivered}
    assert emails == {"recent@example.com"}
    expected = sum(nps.in_sample(sampled, c, 30) for c in ids)
    assert result[sampled]["audience"] - result[sampled]["not_sampled"] in range(
        expected, expected + 3
    )
    assert 40 <= expected <= 80


def test_a_detractor_opens_one_follow_up_ticket(database: Database) -> None:
    # given
    enable_csat(database, nps_detractor_ticket=True)
    _customers(database, 2)
    _campaign(database, make_store(database))
    _run(database, now=NOW)
    detractor, promoter = _surveys(database)
    # when
    _answer(database, detractor.id, 3, "Late again")
    _answer(database, detractor.id, 2, "Late again!")
    _answer(database, promoter.id, 10)
    # then
    after = _surveys(database)
    assert after[1].follow_up_ticket_id is None
    with database.sessions() as session:
        ticket = tickets.get_ticket(session, after[0].follow_up_ticket_id)
        tags = tickets.tags_of(session, [ticket.id])[ticket.id]
        assert session.scalar(select(func.count(NpsCampaign.id))) == 1
    assert (ticket.requester_id, ticket.status, tags) == (
        detractor.customer_id,
        "open",
        ["nps-detractor"],
    )
    assert (after[0].score, after[0].comment) == (2, "Late again!")


def test_nps_page_shows_on_get_records_on_post(client: Any, runtime: Runtime) -> None:
    # given
    database = runtime.database
    _customers(database, 1)
    _campaign(database, make_store(database, name="Lotus Shop"))
    _run(database, now=NOW)
    [survey] = _surveys(database)
    token = token_for(survey.id, runtime.settings, kind="n")
    with database.sessions() as session:
        subject, body = nps_mail.survey_mail(
            session, survey, key=secret_key(runtime.settings), base_url="http://testserver"
        )
    # when
    page = client.get(f"/feedback/nps/{token}?score=9")
    unanswered = _surveys(database)[0].score
    posted = client.post(
        f"/feedback/nps/{token}",
        data={"csrf_token": csrf_token(page.text), "score": "9", "comment": "Great"},
    )
    # then
    assert subject == "How likely are you to recommend Lotus Shop?"
    assert "/feedback/nps/n" in body and "?score=10" in body and "/unsubscribe/" in body
    assert page.status_code == 200 and 'value="9" checked' in page.text
    assert unanswered is None
    assert posted.status_code == 200
    assert (_surveys(database)[0].score, _surveys(database)[0].comment) == (9, "Great")
    assert client.get(f"/feedback/nps/{token[:-1]}x").status_code == 404
