"""What crosses the API for customers."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from kefu.config import Language
from kefu.kit.i18n import TimeZoneName

IdentityKind = Literal["email", "phone", "chat", "store"]


class IdentityIn(BaseModel):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)


class IdentityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: IdentityKind
    value: str
    is_primary: bool


class CustomerCreate(BaseModel):
    name: str = Field(default="", max_length=200)
    emails: list[EmailStr] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)
    store_refs: list[str] = Field(default_factory=list, max_length=20)
    language: Language | None = None
    time_zone: TimeZoneName | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    notes: str = Field(default="", max_length=20_000)
    is_vip: bool = False


class CustomerUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    language: Language | None = None
    time_zone: TimeZoneName | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=20_000)
    is_vip: bool | None = None


class CustomerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    language: str | None
    time_zone: str | None
    tags: list[str]
    notes: str
    is_vip: bool
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime
    identities: list[IdentityRead] = Field(default_factory=list)


class CustomerMerge(BaseModel):
    source_id: int = Field(description="the customer merged away (its identities move over)")
