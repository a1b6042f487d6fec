"""The rules' background work: triggers on events, the clocks automations measure, notice
mails, the hourly automations, and webhook deliveries with their retry sweep."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.rules.automations import run_automation, track_ticket_clocks
from kefu.automation.rules.engine import HANDLED_EVENTS, run_triggers_in_order
from kefu.automation.rules.service import active_rules, get_rule_or_none
from kefu.automation.rules.webhooks import deliver, due_delivery_ids
from kefu.config import secret_key
from kefu.errors import NotFound
from kefu.events import Event, handles
from kefu.jobs import job
from kefu.kit import mailer
from kefu.kit.clock import as_utc, utcnow
from kefu.runtime import current

log = logging.getLogger(__name__)


def _now() -> datetime:
    try:
        return current().clock()
    except RuntimeError:
        return utcnow()


@handles(*HANDLED_EVENTS, name="automation.run_triggers", batch=True)
def run_triggers_on(session: Session, events: list[Event]) -> None:
    run_triggers_in_order(session, events, now=_now())


@handles(
    "ticket.created", "ticket.updated", "message.added", name="automation.track_clocks", batch=True
)
def track_clocks(session: Session, events: list[Event]) -> None:
    track_ticket_clocks(
        session,
        [
            (int(event.subject_id), event.type, event.payload or {}, as_utc(event.created_at))
            for event in events
            if event.subject_type == "ticket" and event.subject_id.isdigit()
        ],
    )


@handles("rule.notice_mail", name="automation.mail_notices")
def mail_notices(session: Session, event: Event) -> None:
    """A rule's "notify by email": one mail per agent, through kefu's own mailer."""
    settings = current().settings
    payload = event.payload or {}
    link = f"{settings.base_url}/tickets/{event.subject_id}"
    for agent_id in payload.get("agent_ids") or []:
        try:
            agent = accounts.get_agent(session, agent_id)
        except NotFound:
            continue
        text = f"{payload.get('message') or ''}\n\n#{event.subject_id}: {link}\n".lstrip()
        message = mailer.build_message(
            sender=settings.mail_from,
            to=agent.email,
            subject=f"[kefu] {payload.get('rule_name', '')}: #{event.subject_id}",
            text=text,
        )
        message["Auto-Submitted"] = "auto-generated"
        mailer.send(settings.smtp_url, message)


@job("automation.run_automations", schedule="0 * * * *")
def run_automations(now: str | None = None) -> dict[int, dict[str, int]]:
    """Every hour: each active automation in its own transaction (`now` ISO, for tests)."""
    runtime = current()
    moment = datetime.fromisoformat(now) if now else runtime.clock()
    with runtime.database.unit_of_work() as session:
        rule_ids = [rule.id for rule in active_rules(session, kind="automation")]
    report = {}
    for rule_id in rule_ids:
        with runtime.database.unit_of_work() as session:
            rule = get_rule_or_none(session, rule_id)
            if rule is not None and rule.is_active:
                report[rule_id] = run_automation(session, rule, now=moment)
    return report


@job("automation.deliver_webhook")
def deliver_webhook(delivery_id: int) -> None:
    runtime = current()
    deliver(
        runtime.database,
        delivery_id,
        key=secret_key(runtime.settings),
        now=runtime.clock(),
    )


@job("automation.deliver_due_webhooks", schedule="* * * * *")
def deliver_due_webhooks() -> None:
    """Every minute: retries that are due (and deliveries a restart left behind)."""
    runtime = current()
    with runtime.database.unit_of_work() as session:
        ids = due_delivery_ids(session, now=runtime.clock())
    for delivery_id in ids:
        deliver(
            runtime.database, delivery_id, key=secret_key(runtime.settings), now=runtime.clock()
        )
