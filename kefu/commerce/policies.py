"""The written policies: per store and product category, what agents may do alone."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce.models import Policy
from kefu.commerce.reasons import REASON_CODES
from kefu.errors import NotFound, PermissionDenied
from kefu.kit.actor import Actor
from kefu.permissions import can

DEFAULT_WINDOW_DAYS = 30
DEFAULT_AGENT_LIMIT_MINOR = 10000


class PolicyIn(BaseModel):
    """A policy as managers write it; `category` "" is the store's default."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(default="", max_length=100)
    return_window_days: int = Field(default=DEFAULT_WINDOW_DAYS, ge=0, le=3650)
    is_final_sale: bool = False
    restocking_fee_percent: int = Field(default=0, ge=0, le=100)
    photo_reasons: list[str] = Field(default_factory=list, max_length=len(REASON_CODES))
    agent_refund_limit_minor: int = Field(default=DEFAULT_AGENT_LIMIT_MINOR, ge=0)

    @field_validator("category")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()

    @field_validator("photo_reasons")
    @classmethod
    def _known_reasons(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(REASON_CODES))
        if unknown:
            raise ValueError(f"unknown reason code: {', '.join(unknown)}")
        return sorted(set(value))


class PolicyRead(PolicyIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: int | None = None
    store_id: int


@dataclass(frozen=True)
class Rules:
    """The policy that applies to one item (its category's, else the store default's)."""

    category: str
    return_window_days: int = DEFAULT_WINDOW_DAYS
    is_final_sale: bool = False
    restocking_fee_percent: int = 0
    photo_reasons: frozenset[str] = frozenset()
    agent_refund_limit_minor: int = DEFAULT_AGENT_LIMIT_MINOR


def require_policy_editor(actor: Actor) -> None:
    if not (can(actor, "orders.approve") or can(actor, "rules.manage")):
        raise PermissionDenied("your role does not allow this (orders.approve or rules.manage)")


def list_policies(session: Session, store_id: int) -> list[Policy]:
    statement = select(Policy).where(Policy.store_id == store_id).order_by(Policy.category)
    return list(session.scalars(statement))


def rules_for_store(session: Session, store_id: int) -> dict[str, Rules]:
    """Every category's rules, "" always present (the written default or kefu's)."""
    found = {"": Rules(category="")}
    for policy in list_policies(session, store_id):
        found[policy.category] = Rules(
            category=policy.category,
            return_window_days=policy.return_window_days,
            is_final_sale=policy.is_final_sale,
            restocking_fee_percent=policy.restocking_fee_percent,
            photo_reasons=frozenset(policy.photo_reasons or ()),
            agent_refund_limit_minor=policy.agent_refund_limit_minor,
        )
    return found


def rules_for(rules: dict[str, Rules], category: str) -> Rules:
    return rules.get(category) or rules[""]


def save_policy(session: Session, *, actor: Actor, store_id: int, data: PolicyIn) -> Policy:
    """Create or replace the policy of (store, category)."""
    require_policy_editor(actor)
    statement = select(Policy).where(Policy.store_id == store_id, Policy.category == data.category)
    policy = session.scalars(statement).one_or_none()
    if policy is None:
        policy = Policy(store_id=store_id, category=data.category)
        session.add(policy)
    for field, value in data.model_dump().items():
        setattr(policy, field, value)
    policy.updated_by_id = actor.agent_id
    session.flush()
    return policy


def delete_policy(session: Session, *, actor: Actor, store_id: int, policy_id: int) -> None:
    require_policy_editor(actor)
    policy = session.get(Policy, policy_id)
    if policy is None or policy.store_id != store_id:
        raise NotFound(f"policy {policy_id} does not exist")
    session.delete(policy)
    session.flush()
