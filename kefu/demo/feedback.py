"""Demo step: customer feedback — surveys on after a solve, the "bad rating → reopen and
tell the manager" trigger, some ratings on the demo tickets, an NPS campaign with answers and
product reviews (the negative ones with their follow-up tickets)."""

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from kefu.accounts import service as accounts
from kefu.automation.rules.service import RuleIn, create_rule
from kefu.commerce.stores import list_stores
from kefu.db import Database
from kefu.demo import DemoStep
from kefu.errors import NotFound
from kefu.feedback import csat, nps
from kefu.feedback.models import NpsSurvey
from kefu.feedback.reviews import ReviewIn, receive_review
from kefu.feedback.settings import DEFAULT_REASONS, FeedbackSettingsIn, save_settings
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets import service as tickets

RATINGS = [
    ("good", "Quick and kind, thank you!", None),
    ("good", "", None),
    ("bad", "I waited three days for an answer.", "slow"),
    ("good", "问题很快就解决了，谢谢！", None),
    ("good", "", None),
    ("bad", "退款还没有到账。", "unsolved"),
]
REVIEWS = [
    ("tb-9001", "好评", None, "纯棉T恤", "质量很好，物流也快。", "小王"),
    ("tb-9002", "差评", None, "陶瓷马克杯", "收到时杯子碎了，客服还没回复。", "阿李"),
    ("tb-9003", "中评", None, "纯棉T恤", "尺码偏小。", "老张"),
    ("woo-31", None, 5, "V-Neck T-Shirt", "Great fit.", "John Doe"),
    ("woo-32", None, 2, "Ceramic Mug", "The handle came off after a week.", "Jane Roe"),
]
NPS_SCORES = [10, 9, 9, 8, 7, 10, 6, 3, 9, 10, 8, 5]
NPS_COMMENTS = {3: "Shipping took far too long.", 10: "Love the shop!", 5: "客服回复太慢。"}


def trigger_rule(manager_id: int) -> RuleIn:
    """A bad rating reopens the ticket and tells the manager (the team lead)."""
    return RuleIn(
        kind="trigger",
        name="Bad rating → reopen and tell the team lead",
        is_active=True,
        events=["csat.received"],
        conditions={"all": [{"field": "event.csat_rating", "op": "is", "value": "bad"}], "any": []},
        actions=[
            {"type": "set_status", "status": "open"},
            {"type": "notify", "agent_id": manager_id, "message": "Bad rating"},
        ],
    )


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    system = Actor.system()
    now = utcnow()
    made = 0
    with database.unit_of_work(actor=system) as session:
        save_settings(
            session,
            actor=system,
            data=FeedbackSettingsIn.model_validate(
                {
                    "csat_enabled": True,
                    "csat_delay_minutes": 60,
                    "csat_channels": ["email", "web", "chat"],
                    "csat_reasons": DEFAULT_REASONS,
                    "nps_detractor_ticket": True,
                }
            ),
        )
        manager = accounts.find_agent_by_email(session, "manager@example.com")
        if manager is not None:
            create_rule(session, actor=system, data=trigger_rule(manager.id))
        made += 2
        ticket_id = 0
        for rating, comment, reason in RATINGS:
            while ticket_id < 200:
                ticket_id += 1
                try:
                    ticket = tickets.get_ticket(session, ticket_id)
                except NotFound:
                    continue
                if ticket.status in ("solved", "closed"):
                    break
            else:
                break
            csat.record_rating(
                session,
                now=now,
                ticket_id=ticket_id,
                rating=rating,
                comment=comment,
                reason=reason,
            )
            made += 1
        stores = list_stores(session)
        if stores:
            campaign = nps.create_campaign(
                session,
                actor=system,
                data=nps.NpsCampaignIn(
                    name="Quarterly NPS", store_id=stores[0].id, audience="all", throttle_days=90
                ),
            )
            nps.run_campaign(session, campaign, now=now - timedelta(days=120))
            surveys = session.scalars(
                select(NpsSurvey).where(NpsSurvey.campaign_id == campaign.id).order_by(NpsSurvey.id)
            ).all()
            for external_id, grade, rating, product, body, who in REVIEWS:
                receive_review(
                    session,
                    store_id=stores[0].id,
                    source="taobao" if grade else "woocommerce",
                    data=ReviewIn(
                        external_id=external_id,
                        reviewed_at=now - timedelta(days=3),
                        rating=rating,
                        grade=grade,
                        product_name=product,
                        body=body,
                        reviewer_name=who,
                    ),
                    now=now,
                )
                made += 1
            # answers spread over the four months since, so the chart has a line to read
            for index, (survey, score) in enumerate(zip(surveys, NPS_SCORES, strict=False)):
                survey.status = "sent"
                nps.record_answer(
                    session,
                    survey_id=survey.id,
                    score=score,
                    comment=NPS_COMMENTS.get(score, ""),
                    now=now - timedelta(days=118 - index * 117 // max(len(NPS_SCORES) - 1, 1)),
                )
                made += 1
    advance(made)
    return made


STEP = DemoStep(
    name="feedback",
    run=run,
    size=lambda scale: 2 + len(RATINGS) + len(REVIEWS) + len(NPS_SCORES),
)
