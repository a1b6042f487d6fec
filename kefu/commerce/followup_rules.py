"""Proactive follow-up rules per store: three opt-in kinds, each with a delay, a daily cap and
its subject and body in the store's language."""

from __future__ import annotations

import string
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce.models import FollowUpRule
from kefu.commerce.stores import get_store
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.permissions import require

UNPAID = "unpaid_reminder"
EXCEPTION = "delivery_exception"
CHECKIN = "delivery_checkin"
KINDS: dict[str, str] = {
    UNPAID: N_("Unpaid order reminder"),
    EXCEPTION: N_("Delivery problem outreach"),
    CHECKIN: N_("Check-in after delivery"),
}
KIND_HINTS: dict[str, str] = {
    UNPAID: N_("Hours after an order is placed and still waiting for payment."),
    EXCEPTION: N_("Hours after the carrier reports a failed attempt or a problem."),
    CHECKIN: N_("Hours after the parcel was delivered."),
}
PLACEHOLDERS = ("name", "order_number", "tracking_url")
DEFAULT_DELAY_HOURS = {UNPAID: 24, EXCEPTION: 2, CHECKIN: 72}


@dataclass(frozen=True, slots=True)
class Wording:
    subject: str
    body: str


# Customer-facing text in the store's language (data, not the agent's UI).
DEFAULT_WORDING: dict[str, dict[str, Wording]] = {
    "en": {
        UNPAID: Wording(
            "Your order {order_number} is waiting for payment",
            "Hi {name},\n\nYour order {order_number} is reserved, but we have not received "
            "the payment yet. If something went wrong at checkout, just reply to this email "
            "and we will help.\n\nThank you!",
        ),
        EXCEPTION: Wording(
            "A problem with the delivery of order {order_number}",
            "Hi {name},\n\nThe carrier reports a problem delivering your order {order_number}."
            " You can follow it here: {tracking_url}\n\nReply to this email and we will sort "
            "it out with the carrier for you.",
        ),
        CHECKIN: Wording(
            "How is your order {order_number}?",
            "Hi {name},\n\nYour order {order_number} was delivered. Is everything as you "
            "hoped? If anything is wrong, just reply to this email.\n\nThank you for shopping "
            "with us!",
        ),
    },
    "zh_Hans": {
        UNPAID: Wording(
            "您的订单 {order_number} 还未付款",
            "{name}您好：\n\n您的订单 {order_number} 已为您保留，但我们还没有收到付款。"
            "如果付款时遇到问题，直接回复这封邮件，我们会帮您处理。\n\n谢谢！",
        ),
        EXCEPTION: Wording(
            "订单 {order_number} 的配送遇到问题",
            "{name}您好：\n\n快递公司反馈您的订单 {order_number} 派送遇到问题。"
            "物流详情：{tracking_url}\n\n回复这封邮件，我们会帮您联系快递公司处理。",
        ),
        CHECKIN: Wording(
            "订单 {order_number} 收到了吗？",
            "{name}您好：\n\n您的订单 {order_number} 已签收。一切都满意吗？"
            "如有任何问题，直接回复这封邮件即可。\n\n感谢您的惠顾！",
        ),
    },
}
UNSUBSCRIBE_LINE = {
    "en": "Don't want these emails? Unsubscribe: {url}",
    "zh_Hans": "不想再收到这类邮件？退订：{url}",
}
NAME_FALLBACK = {"en": "there", "zh_Hans": "顾客"}


def store_language(language: str) -> str:
    return "zh_Hans" if language.lower().replace("-", "_").startswith("zh") else "en"


def check_template(text: str) -> str:
    """Refuse placeholders kefu cannot fill ({name}, {order_number}, {tracking_url} only)."""
    try:
        fields = [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name]
    except ValueError as exc:
        raise ValueError(f"a brace is not closed: {exc}") from None
    unknown = sorted({name for name in fields if name not in PLACEHOLDERS})
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{unknown[0]}}}: use {{name}}, {{order_number}} or "
            "{tracking_url}"
        )
    return text


class FollowUpRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    is_enabled: bool = False
    delay_hours: int = Field(default=24, ge=0, le=24 * 90)
    daily_cap: int = Field(default=100, ge=1, le=100_000)
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)

    @field_validator("subject", "body")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        return check_template(value)


def rules_of(session: Session, store_id: int) -> dict[str, FollowUpRule]:
    """The store's three rules; unsaved ones come with the defaults in its language (off)."""
    store = get_store(session, store_id)
    saved = {
        rule.kind: rule
        for rule in session.scalars(select(FollowUpRule).where(FollowUpRule.store_id == store_id))
    }
    wording = DEFAULT_WORDING[store_language(store.language)]
    result = {}
    for kind in KINDS:
        result[kind] = saved.get(kind) or FollowUpRule(
            store_id=store_id,
            kind=kind,
            is_enabled=False,
            delay_hours=DEFAULT_DELAY_HOURS[kind],
            daily_cap=100,
            subject=wording[kind].subject,
            body=wording[kind].body,
        )
    return result


def save_rule(
    session: Session, *, actor: Actor, store_id: int, kind: str, data: FollowUpRuleIn
) -> FollowUpRule:
    require(actor, "rules.manage")
    if kind not in KINDS:
        raise InvalidInput(f"unknown follow-up kind: {kind}")
    rule = rules_of(session, store_id)[kind]
    for name, value in data.model_dump().items():
        setattr(rule, name, value)
    if rule.id is None:
        session.add(rule)
    session.flush()
    return rule


def enabled_rules(session: Session) -> list[FollowUpRule]:
    statement = select(FollowUpRule).where(FollowUpRule.is_enabled.is_(True))
    return list(session.scalars(statement.order_by(FollowUpRule.id)))
