"""The kb domain's tables: categories and sections, articles, their versions, links and the
search tokens."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow

# Tokens compare byte by byte on both databases, so a prefix is a range scan of the index.
TokenText = String(100).with_variant(postgresql.VARCHAR(100, collation="C"), "postgresql")


class KbCategory(Audited, Base):
    """A category of articles (`parent_id` None) or a section inside one, for one brand
    (`store_id`) or all of them (None). `names` and `descriptions` are per language
    ({"en": ..., "zh_Hans": ...}); the lowest `position` comes first."""

    __tablename__ = "kb_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_categories.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class KbArticle(Audited, Base):
    """One article in one language. `state`: draft | review | published | archived;
    `visibility`: public (help center) | internal (agents only). `brand_key` is `store_id` or
    0, so a slug is unique per brand and language even for all-brand articles. Articles that
    translate one another share `translation_group` (the id of the group's first article)."""

    __tablename__ = "kb_articles"
    __audit_ignore__ = frozenset({"view_count", "updated_at", "body_html"})

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), index=True
    )
    brand_key: Mapped[int] = mapped_column(Integer, default=0)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_categories.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(10), default="en")
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="draft")
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    position: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    translation_group: Mapped[int | None] = mapped_column(Integer, index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True
    )
    review_by: Mapped[date | None] = mapped_column(Date)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("brand_key", "language", "slug"),
        Index("ix_kb_articles_state_visibility", "state", "visibility", "language"),
        Index("ix_kb_articles_state_review_by", "state", "review_by"),
    )


class KbArticleVersion(Base):
    """What an article said after one save: numbered from 1, never changed."""

    __tablename__ = "kb_article_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("article_id", "number"),)


class KbRelatedArticle(Audited, Base):
    """A manual "see also" link from one article to another."""

    __tablename__ = "kb_related_articles"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True
    )
    related_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class KbImage(Audited, Base):
    """An image uploaded for articles, stored in the file store under its SHA-256."""

    __tablename__ = "kb_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class KbSearchToken(Base):
    """One search token (kefu.kit.search_text) of an article, with how often it appears in
    the title and in the text: an English prefix is a range scan of (token), a Chinese term
    its bigrams, and the counts rank titles first."""

    __tablename__ = "kb_search_tokens"

    token: Mapped[str] = mapped_column(TokenText, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    title_hits: Mapped[int] = mapped_column(Integer, default=0)
    body_hits: Mapped[int] = mapped_column(Integer, default=0)
