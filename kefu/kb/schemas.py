"""What crosses the kb API and editor: an article in and out, a state change, a category."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.kit.bounds import Int4, RowId

LANGUAGES = ("en", "zh_Hans")
LANGUAGE_ALIASES = {"en": "en", "en-us": "en", "zh": "zh_Hans", "zh-cn": "zh_Hans"}
LANGUAGE_ALIASES |= {"zh_hans": "zh_Hans", "zh-hans": "zh_Hans", "zh_cn": "zh_Hans"}
STATES = ("draft", "review", "published", "archived")
ArticleState = Literal["draft", "review", "published", "archived"]
Visibility = Literal["public", "internal"]
MAX_BODY = 200_000
MAX_TAGS = 20


def normalize_language(value: str) -> str:
    """kefu's code for a language tag ("zh-CN" → "zh_Hans"); ValueError for another."""
    language = LANGUAGE_ALIASES.get(value.strip().lower())
    if language is None:
        raise ValueError(f"unknown language {value!r}; use en or zh-CN")
    return language


def normalize_tags(value: list[str]) -> list[str]:
    tags = [" ".join(tag.split()).lower()[:50] for tag in value]
    return list(dict.fromkeys(tag for tag in tags if tag))[:MAX_TAGS]


class ArticleFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("language", check_fields=False)
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else normalize_language(value)

    @field_validator("tags", check_fields=False)
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else normalize_tags(value)

    @field_validator("title", check_fields=False)
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if not value:
            raise ValueError("an article needs a title")
        return value


class ArticleCreate(ArticleFields):
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=MAX_BODY)
    language: str = "en"
    store_id: RowId | None = None
    category_id: RowId | None = None
    visibility: Visibility = "public"
    summary: str = Field(default="", max_length=500)
    slug: str = Field(default="", max_length=200)
    tags: list[str] = Field(default_factory=list)
    owner_id: RowId | None = None
    review_by: date | None = None
    position: Int4 = 0


class ArticleUpdate(ArticleFields):
    """Only the fields given change; `note` is kept on the version this save makes."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=MAX_BODY)
    category_id: RowId | None = None
    clear_category: bool = False
    visibility: Visibility | None = None
    summary: str | None = Field(default=None, max_length=500)
    slug: str | None = Field(default=None, max_length=200)
    tags: list[str] | None = None
    owner_id: RowId | None = None
    review_by: date | None = None
    clear_review_by: bool = False
    clear_owner: bool = False
    position: Int4 | None = None
    note: str = Field(default="", max_length=200)


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: ArticleState


class ArticleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    store_id: int | None
    category_id: int | None
    language: str
    slug: str
    title: str
    summary: str
    body: str
    body_html: str
    state: str
    visibility: str
    tags: list[str]
    translation_group: int | None
    owner_id: int | None
    review_by: date | None
    view_count: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    title: str
    author_name: str
    note: str
    created_at: datetime
