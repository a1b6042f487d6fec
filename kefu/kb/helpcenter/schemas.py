"""What the help center's forms carry: a brand's site settings and the contact form."""

import re

from pydantic import BaseModel, EmailStr, Field, field_validator

# URL codes of the help center's languages and the catalog (and kb) language of each.
LANGUAGES: dict[str, str] = {"en": "en", "zh-CN": "zh_Hans"}
LANGUAGE_LABELS: dict[str, str] = {"en": "English", "zh-CN": "简体中文"}
RESERVED_SLUGS = frozenset({*LANGUAGES, "zh-cn", "static", "admin", "api", "logo", "sitemap.xml"})
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$"
)
_COLOR = re.compile(r"^#[0-9a-f]{6}$")


class SiteIn(BaseModel):
    """A brand's help-center settings as the admin form sends them."""

    slug: str = Field(min_length=1, max_length=60)
    title: str = Field(default="", max_length=200)
    host: str | None = Field(default=None, max_length=253)
    is_enabled: bool = True
    is_default: bool = False
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    primary_color: str = "#2563eb"
    has_contact_form: bool = True

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        value = value.strip().lower()
        if not _SLUG.match(value):
            raise ValueError("use lowercase letters, digits and dashes (e.g. my-shop)")
        if value in RESERVED_SLUGS:
            raise ValueError(f"{value!r} is reserved; choose another path")
        return value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str | None) -> str | None:
        value = (value or "").strip().lower().rstrip(".")
        if not value:
            return None
        if not _HOST.match(value):
            raise ValueError("a host name such as help.example.com (no scheme, no port)")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; use en or zh-CN")
        return list(dict.fromkeys(value))

    @field_validator("primary_color")
    @classmethod
    def _color(cls, value: str) -> str:
        value = value.strip().lower()
        if not _COLOR.match(value):
            raise ValueError("a colour such as #2563eb")
        return value


class ContactIn(BaseModel):
    """The public contact form."""

    name: str = Field(default="", max_length=200)
    email: EmailStr
    subject: str = Field(min_length=1, max_length=300)
    message: str = Field(min_length=1, max_length=20_000)
    order_number: str = Field(default="", max_length=64)

    @field_validator("name", "subject", "message", "order_number")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()
