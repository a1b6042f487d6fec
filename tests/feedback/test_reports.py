"""The feedback report: CSAT % (good / rated) and response rate (rated / sent) against a
hand count, and the page for those who may read reports."""

from datetime import timedelta
from typing import Any

from kefu.feedback import csat, reports
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime
from tests.accounts.factories import PASSWORD, make_agent
from tests.feedback.factories import agent, enable_csat, later, send_due, solved_ticket, surveys_of
from tests.web.helpers import sign_in


def _four_surveys_three_rated(runtime: Runtime) -> None:
    database = runtime.database
    enable_csat(database)
    ann = agent(database)
    ticket_ids = [solved_ticket(database, actor=ann, email=f"c{i}@example.com") for i in range(4)]
    send_due(database, now=later(61), settings=runtime.settings)
    survey_ids = [surveys_of(database, ticket_id)[0].id for ticket_id in ticket_ids]
    with database.unit_of_work(actor=Actor.system()) as session:
        for survey_id, rating in zip(survey_ids, ("good", "good", "bad"), strict=False):
            csat.record_rating(
                session, now=utcnow(), survey_id=survey_id, rating=rating, comment=f"{rating}!"
            )
        # a change of mind is still one rating
        csat.record_rating(
            session, now=utcnow(), survey_id=survey_ids[0], rating="good", comment="ok"
        )


def test_csat_and_response_rate_match_a_hand_count(runtime: Runtime) -> None:
    # given: 4 surveys sent, 3 rated: 2 good, 1 bad
    _four_surveys_three_rated(runtime)
    # when
    with runtime.database.sessions() as session:
        figures = reports.csat_figures(
            session, since=utcnow() - timedelta(days=1), until=utcnow() + timedelta(days=1)
        )
        comments = reports.recent_comments(session)
    # then: 2 / 3 good, 3 / 4 answered
    assert figures == {
        "sent": 4,
        "rated": 3,
        "good": 2,
        "bad": 1,
        "csat": 66.7,
        "response_rate": 75.0,
    }
    assert sorted(c["comment"] for c in comments) == ["bad!", "good!", "ok"]


def test_report_page_for_managers_only(client: Any, runtime: Runtime) -> None:
    _four_surveys_three_rated(runtime)
    make_agent(runtime.database, email="mia@example.com", name="Mia", role="manager")
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get("/reports/feedback").status_code == 403
    client.cookies.clear()
    sign_in(client, "mia@example.com", PASSWORD)
    moment = later(120)
    runtime.clock = lambda: moment  # the surveys went out "an hour after the solve"
    page = client.get("/reports/feedback?days=30")
    assert page.status_code == 200
    assert '<dd class="csat-value">66.7%</dd>' in page.text
    assert '<dd class="csat-response">75.0%</dd>' in page.text
    assert 'id="chart-nps"' in page.text and "bad!" in page.text
