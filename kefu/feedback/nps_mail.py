"""Mailing NPS surveys: kefu's system mail (KEFU_SMTP_URL, from KEFU_MAIL_FROM), one mail a
survey with a link per score and the store's unsubscribe link. Each survey is marked sent in
its own transaction right after the server took it, so a retry never mails it twice."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kefu.commerce.stores import get_store
from kefu.commerce.unsubscribe import make_token as unsubscribe_token
from kefu.config import secret_key
from kefu.customers import service as customers
from kefu.feedback import mail_text
from kefu.feedback.models import NpsCampaign, NpsSurvey
from kefu.feedback.settings import get_settings
from kefu.feedback.tokens import make_token
from kefu.kit import mailer
from kefu.kit.clock import as_utc

log = logging.getLogger(__name__)
BATCH = 200


def survey_mail(session: Any, survey: NpsSurvey, *, key: str, base_url: str) -> tuple[str, str]:
    campaign = session.get_one(NpsCampaign, survey.campaign_id)
    store = get_store(session, campaign.store_id)
    customer = customers.get_customer(session, survey.customer_id)
    days = get_settings(session).link_days
    expires = as_utc(survey.sent_at) + timedelta(days=days)
    base = base_url.rstrip("/")
    url = f"{base}/feedback/nps/{make_token('n', survey.id, expires_at=expires, key=key)}"
    unsubscribe = f"{base}/unsubscribe/{unsubscribe_token(customer.id, store.id, key=key)}"
    return mail_text.nps_mail(
        language=customer.language or campaign.language,
        name=customer.name or "",
        store=store.name,
        links=[f"{url}?score={score}" for score in range(11)],
        unsubscribe=unsubscribe,
    )


def send_queued(runtime: Any) -> int:
    """Mail the queued surveys (a batch at a time); returns how many left."""
    settings, database = runtime.settings, runtime.database
    key = secret_key(settings)
    sent = 0
    while True:
        with database.sessions() as session:
            ids = list(
                session.scalars(
                    select(NpsSurvey.id)
                    .where(NpsSurvey.status == "queued")
                    .order_by(NpsSurvey.id)
                    .limit(BATCH)
                )
            )
        if not ids:
            return sent
        for survey_id in ids:
            with database.unit_of_work() as session:
                survey = session.get_one(NpsSurvey, survey_id)
                subject, body = survey_mail(session, survey, key=key, base_url=settings.base_url)
                message = mailer.build_message(
                    sender=settings.mail_from, to=survey.email, subject=subject, text=body
                )
                try:
                    mailer.send(settings.smtp_url, message)
                except Exception as exc:
                    log.warning("NPS survey %s to %s not sent: %s", survey_id, survey.email, exc)
                    survey.status = "failed"
                    survey.details = {"error": str(exc)[:500]}
                    continue
                survey.status = "sent"
                sent += 1
