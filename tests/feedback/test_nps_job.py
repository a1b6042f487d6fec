"""The hourly NPS job: due campaigns pick their customers and the surveys reach them through
kefu's system mail (a real SMTP server on loopback), once."""

# ruff: noqa: F811  (the mail servers' fixtures are imported, then named as parameters)

import email
import email.policy
from datetime import timedelta

from sqlalchemy import select

from kefu.feedback import nps
from kefu.feedback.jobs import run_nps
from kefu.feedback.models import NpsSurvey
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime
from tests.channels.email.conftest import CUSTOMER, dovecot, smtp_capture  # noqa: F401
from tests.channels.email.servers import CaptureSMTP, Dovecot
from tests.commerce.actions_factories import make_store
from tests.customers.factories import make_customer
from tests.feedback.factories import MANAGER


def _subjects(dovecot: Dovecot, marker: str) -> list[tuple[str, str]]:
    found = []
    for stored in dovecot.read(CUSTOMER):
        parsed = email.message_from_bytes(stored.raw, policy=email.policy.default)
        if marker in str(parsed["Subject"]):
            found.append((str(parsed["Subject"]), parsed.get_body(("plain",)).get_content()))
    return found


def test_the_job_mails_each_survey_once(
    runtime: Runtime, dovecot: Dovecot, smtp_capture: CaptureSMTP
) -> None:
    # given: a store with a name only this test uses, Emily, and a campaign for everyone
    database = runtime.database
    marker = f"Shop{utcnow().timestamp():.0f}{id(runtime) % 1000}"
    store_id = make_store(database, name=marker)
    make_customer(database, name="Emily Chen", emails=(CUSTOMER,))
    with database.unit_of_work(actor=MANAGER) as session:
        nps.create_campaign(
            session,
            actor=MANAGER,
            data=nps.NpsCampaignIn(name="NPS", store_id=store_id, audience="all"),
        )
    runtime.settings = runtime.settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{smtp_capture.port}"}
    )
    # when: the job runs, and again an hour later
    first = run_nps()
    moment = utcnow() + timedelta(hours=1)
    runtime.clock = lambda: moment
    second = run_nps()
    # then
    assert [dict(c) for c in first.values()] == [{"audience": 1, "not_sampled": 0, "queued": 1}]
    assert second == {}
    [(subject, body)] = _subjects(dovecot, marker)
    assert subject == f"How likely are you to recommend {marker}?"
    assert "Hello Emily Chen," in body and "?score=0" in body and "/unsubscribe/" in body
    with database.sessions() as session:
        [survey] = session.scalars(select(NpsSurvey)).all()
    assert survey.status == "sent"
