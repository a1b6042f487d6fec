"""The help center's tables: each brand's site settings and what visitors did there (article
views, searches, "was this helpful?" votes, contact-form visits). Articles themselves belong
to the kb domain and are referred to by id only."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class HelpCenterSite(Audited, Base):
    """A brand's public help center at /help/<slug>/ (and at / on `host` when set).
    `languages` holds URL codes ("en", "zh-CN"), the first is the default; at most one site
    `is_default` and answers at /help."""

    __tablename__ = "helpcenter_sites"

    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    host: Mapped[str | None] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    primary_color: Mapped[str] = mapped_column(String(7), default="#2563eb")
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    logo_type: Mapped[str] = mapped_column(String(50), default="")
    has_contact_form: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class HelpCenterArticleView(Base):
    """One reading of a public article."""

    __tablename__ = "helpcenter_article_views"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index(None, "store_id", "created_at"),
        Index(None, "article_id", "created_at"),
    )


class HelpCenterSearch(Base):
    """One search: what was asked and how many articles answered. Search-as-you-type sends a
    `typing_key` per search box, so "ref", "refu", "refund" end as one row (the last)."""

    __tablename__ = "helpcenter_searches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    query: Mapped[str] = mapped_column(String(200))
    results_count: Mapped[int] = mapped_column(Integer, default=0)
    typing_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index(None, "store_id", "created_at"),
        Index(None, "typing_key"),
    )


class HelpCenterVote(Base):
    """A visitor's "was this helpful?" answer on one article: one per visitor (the cookie's
    id) and article, enforced by the database."""

    __tablename__ = "helpcenter_votes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(Integer, index=True)
    visitor: Mapped[str] = mapped_column(String(64))
    is_helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("article_id", "visitor"),
        Index(None, "store_id", "created_at"),
    )


class HelpCenterVisit(Base):
    """One visit to the contact form (its random `token`), kept once suggestions were shown:
    whether the visitor opened a suggested article and whether they sent the form."""

    __tablename__ = "helpcenter_visits"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(40), unique=True)
    suggestions_shown: Mapped[int] = mapped_column(Integer, default=0)
    opened_article_id: Mapped[int | None] = mapped_column(Integer)
    suggestion_opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ticket_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index(None, "store_id", "created_at"),)
