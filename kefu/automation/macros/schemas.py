"""What crosses the macros API and editor: a macro in and out, and a rendered macro."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LANGUAGES = ("en", "zh_Hans")
LANGUAGE_ALIASES = {
    "en": "en",
    "en-us": "en",
    "en_us": "en",
    "zh": "zh_Hans",
    "zh-cn": "zh_Hans",
    "zh_cn": "zh_Hans",
    "zh-hans": "zh_Hans",
    "zh_hans": "zh_Hans",
}
MacroKind = Literal["reply", "note"]


def normalize_language(value: str | None) -> str | None:
    """kefu's code for a language tag ("zh-CN" → "zh_Hans"); None when it is not one of ours."""
    if not value:
        return None
    return LANGUAGE_ALIASES.get(value.strip().lower())


def normalize_folder(value: str) -> str:
    """ "Shipping / Delays/" → "Shipping/Delays"."""
    return "/".join(part.strip() for part in value.split("/") if part.strip())


def _bodies(value: dict[str, str]) -> dict[str, str]:
    bodies: dict[str, str] = {}
    for tag, text in value.items():
        language = normalize_language(tag)
        if language is None:
            raise ValueError(f"unknown language {tag!r}; use en or zh-CN")
        if text.strip():
            bodies[language] = text
    return bodies


class MacroFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    folder: str = Field(default="", max_length=200)
    kind: MacroKind = "reply"
    bodies: dict[str, str] = Field(default_factory=dict)
    actions: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    is_active: bool = True

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str) -> str:
        return normalize_folder(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a macro needs a name")
        return value.strip()

    @field_validator("bodies")
    @classmethod
    def _has_body(cls, value: dict[str, str]) -> dict[str, str]:
        bodies = _bodies(value)
        if not bodies:
            raise ValueError("write the macro's text in English or Chinese")
        return bodies


class MacroCreate(MacroFields):
    """`personal` makes it the author's own macro; shared macros need "macros.manage"."""

    personal: bool = False


class MacroUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    folder: str | None = Field(default=None, max_length=200)
    kind: MacroKind | None = None
    bodies: dict[str, str] | None = None
    actions: list[dict[str, Any]] | None = Field(default=None, max_length=20)
    is_active: bool | None = None

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        return None if value is None else normalize_folder(value)

    @field_validator("bodies")
    @classmethod
    def _has_body(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else MacroFields._has_body(value)


class MacroRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    folder: str
    owner_id: int | None
    kind: MacroKind
    bodies: dict[str, str]
    actions: list[dict[str, Any]]
    is_active: bool
    usage_count: int
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime


class MacroApply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str | None = Field(default=None, max_length=20, examples=["zh-CN"])
    apply_actions: bool = False


class RenderedRead(BaseModel):
    macro_id: int
    kind: MacroKind
    language: str
    body_text: str
    body_html: str | None
    missing: list[str]
    actions: list[dict[str, Any]]
    actions_applied: bool
