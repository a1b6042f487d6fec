"""The demo step: survey settings, the bad-rating trigger, ratings and NPS answers."""

from sqlalchemy import func, select

from kefu.automation.rules.models import Rule
from kefu.db import Database
from kefu.demo import feedback as demo
from kefu.feedback.models import CsatRating, FeedbackSettings, NpsSurvey, ProductReview
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.commerce.actions_factories import make_store
from tests.customers.factories import make_customer
from tests.feedback.factories import agent, solved_ticket


def test_demo_step_fills_settings_trigger_ratings_and_answers(database: Database) -> None:
    # given: a manager, a store, customers and two solved tickets
    make_agent(database, email="manager@example.com", name="Max", role=Role.MANAGER)
    make_store(database)
    for i in range(14):
        make_customer(database, name=f"C{i}", emails=(f"c{i}@example.com",))
    ann = agent(database)
    solved_ticket(database, actor=ann, email="c0@example.com")
    solved_ticket(database, actor=ann, email="c1@example.com")
    # when
    made = demo.run(database, 1, lambda n: None)
    # then
    with database.sessions() as session:
        settings = session.get_one(FeedbackSettings, 1)
        ratings = session.scalars(select(CsatRating.rating).order_by(CsatRating.id)).all()
        answered = session.scalar(
            select(func.count(NpsSurvey.id)).where(NpsSurvey.score.is_not(None))
        )
        grades = session.scalars(select(ProductReview.grade)).all()
        reviews = {g: grades.count(g) for g in set(grades)}
        follow_ups = session.scalar(
            select(func.count(ProductReview.id)).where(
                ProductReview.follow_up_ticket_id.is_not(None)
            )
        )
        triggers = session.scalars(select(Rule.name).where(Rule.events.is_not(None))).all()
    assert settings.csat_enabled is True
    assert ratings == ["good", "good"]
    assert answered == 12
    assert "Bad rating → reopen and tell the team lead" in triggers
    assert reviews == {"good": 2, "neutral": 1, "bad": 2} and follow_ups == 3
    assert made == 2 + 2 + 5 + 12
