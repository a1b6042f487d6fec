"""What agents ask for when they act on an order (the forms and the JSON API), and what
an action answers. Money is integer minor units in the order's currency."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kefu.commerce.reasons import REASON_CODES
from kefu.commerce.schemas import Address
from kefu.kit.bounds import BigRowId

KEY_PATTERN = r"^[A-Za-z0-9_.:-]{8,80}$"
MAX_MINOR = 10**15  # far above any order; keeps sums inside a bigint


class ActionKind(StrEnum):
    REFUND = "refund"
    CANCEL = "cancel"
    EDIT_ADDRESS = "edit_address"
    RETURN = "return"
    EXCHANGE = "exchange"
    RESEND = "resend"
    STORE_CREDIT = "store_credit"


class ItemQuantity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: BigRowId
    quantity: int = Field(ge=1, le=100_000)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_id: BigRowId | None = Field(default=None, description="the ticket it is done from")
    note: str = Field(default="", max_length=2000, description="for colleagues, on the ticket")
    notify_customer: bool = Field(
        default=True, description="send the customer a confirmation on the ticket"
    )


def _distinct_items(items: list[ItemQuantity]) -> list[ItemQuantity]:
    seen = [line.item_id for line in items]
    if len(seen) != len(set(seen)):
        raise ValueError("each item may be listed once")
    return items


class RefundRequest(_Request):
    items: list[ItemQuantity] = Field(default_factory=list, max_length=500)
    shipping_minor: int = Field(default=0, ge=0, le=MAX_MINOR)
    custom_minor: int = Field(
        default=0, ge=0, le=MAX_MINOR, description="an extra amount (a goodwill credit)"
    )
    restock: bool = False
    method: Literal["original", "store_credit"] = "original"
    reason: str = Field(default="", max_length=200)

    _items = field_validator("items")(_distinct_items)

    @model_validator(mode="after")
    def _something(self) -> RefundRequest:
        if not self.items and not self.shipping_minor and not self.custom_minor:
            raise ValueError("choose items, shipping or an amount to refund")
        return self


class CancelRequest(_Request):
    reason: str = Field(default="customer", max_length=200)
    restock: bool = True


class AddressRequest(_Request):
    address: Address
    notify_customer: bool = False

    @model_validator(mode="after")
    def _complete(self) -> AddressRequest:
        a = self.address
        if not (a.name.strip() and a.address1.strip() and a.city.strip() and a.country_code):
            raise ValueError("an address needs a name, street, city and country")
        return self


class ReturnLine(ItemQuantity):
    condition: Literal["unopened", "like_new", "used", "damaged"] = "unopened"


class ReturnRequest(_Request):
    reason: str = Field(description="a reason code: " + ", ".join(REASON_CODES))
    items: list[ReturnLine] = Field(min_length=1, max_length=500)
    photos: list[BigRowId] = Field(
        default_factory=list, max_length=20, description="attachment ids"
    )
    instructions: str = Field(default="", max_length=5000)
    resolution: Literal["refund", "exchange", "credit"] = "refund"

    _items = field_validator("items")(_distinct_items)

    @field_validator("reason")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in REASON_CODES:
            raise ValueError(f"unknown reason code {value!r}; one of: {', '.join(REASON_CODES)}")
        return value


class ReplacementLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(default="", max_length=100)
    variant_id: str = Field(default="", max_length=64)
    title: str = Field(min_length=1, max_length=500)
    # bounded so that 100 lines of them stay inside a bigint
    quantity: int = Field(default=1, ge=1, le=10_000)
    unit_price_minor: int = Field(default=0, ge=0, le=10**12)


class ExchangeRequest(_Request):
    items_out: list[ItemQuantity] = Field(min_length=1, max_length=100)
    items_in: list[ReplacementLine] = Field(min_length=1, max_length=100)
    reason: str = Field(default="wrong_size")

    _items = field_validator("items_out")(_distinct_items)

    @field_validator("reason")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in REASON_CODES:
            raise ValueError(f"unknown reason code {value!r}")
        return value


class ResendRequest(_Request):
    items: list[ItemQuantity] = Field(min_length=1, max_length=100)
    reason: str = Field(default="damaged")

    _items = field_validator("items")(_distinct_items)


class StoreCreditRequest(_Request):
    amount_minor: int = Field(ge=1, le=MAX_MINOR)
    reason: str = Field(default="", max_length=200)
    expires_at: datetime | None = None


REQUEST_SCHEMAS: dict[str, type[_Request]] = {
    ActionKind.REFUND: RefundRequest,
    ActionKind.CANCEL: CancelRequest,
    ActionKind.EDIT_ADDRESS: AddressRequest,
    ActionKind.RETURN: ReturnRequest,
    ActionKind.EXCHANGE: ExchangeRequest,
    ActionKind.RESEND: ResendRequest,
    ActionKind.STORE_CREDIT: StoreCreditRequest,
}


class CheckRead(BaseModel):
    rule: str
    outcome: Literal["passed", "failed", "needs_approval"]
    text: str


class OrderActionRead(BaseModel):
    id: int
    order_id: int
    ticket_id: int | None
    kind: str
    status: str = Field(description="done | pending_approval | denied | failed")
    amount_minor: int
    currency: str
    request: dict[str, Any]
    result: dict[str, Any]
    checks: list[CheckRead]
    error: str
    decision_reason: str
    requested_by_id: int | None
    decided_by_id: int | None
    decided_at: datetime | None
    created_at: datetime
    replayed: bool = Field(default=False, description="the same idempotency key acted before")


class ChecksRead(BaseModel):
    allowed: bool
    needs_approval: bool
    amount_minor: int
    currency: str
    checks: list[CheckRead]


class DenyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why the request is denied")
        return value.strip()


class ReturnTransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["approved", "in_transit", "received", "refunded", "exchanged", "rejected"]
    reason: str = Field(default="", max_length=2000, description="required to reject")
    idempotency_key: str | None = Field(default=None, pattern=KEY_PATTERN)
