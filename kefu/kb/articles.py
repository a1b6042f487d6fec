"""Writing articles: create, edit (every save a version), move through the states, link
translations and related articles, and the list of articles due for review."""

import uuid
from datetime import date

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from kefu import events
from kefu.accounts import service as accounts
from kefu.commerce import stores
from kefu.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.kb.categories import get_category
from kefu.kb.markdown import markdown_text, render_markdown, slugify, summary_of
from kefu.kb.models import KbArticle, KbArticleVersion, KbRelatedArticle
from kefu.kb.schemas import ArticleCreate, ArticleUpdate
from kefu.kb.search import index_article
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import can, require

# state → the states it may move to; publishing and archiving need "kb.manage"
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"review", "published"}),
    "review": frozenset({"draft", "published"}),
    "published": frozenset({"archived", "draft"}),
    "archived": frozenset({"draft", "published"}),
}
MANAGED_STATES = frozenset({"published", "archived"})
MAX_RELATED = 10


def get_article(session: Session, article_id: int) -> KbArticle:
    article = session.get(KbArticle, article_id)
    if article is None:
        raise NotFound(f"article {article_id} not found")
    return article


def can_edit(actor: Actor, article: KbArticle) -> bool:
    """Drafts and articles in review are every writer's; published and archived ones the
    managers'."""
    if article.state in MANAGED_STATES:
        return can(actor, "kb.manage")
    return can(actor, "kb.write") or can(actor, "kb.manage")


def allowed_states(actor: Actor, article: KbArticle) -> list[str]:
    """The states this actor may move the article to, in workflow order."""
    order = ("draft", "review", "published", "archived")
    targets = TRANSITIONS[article.state]
    return [
        state
        for state in order
        if state in targets
        and (can(actor, "kb.manage") or (state not in MANAGED_STATES and can_edit(actor, article)))
    ]


def _require_writer(actor: Actor) -> None:
    if not (can(actor, "kb.write") or can(actor, "kb.manage")):
        raise PermissionDenied("your role does not allow this (kb.write)")


def _check_references(
    session: Session, *, store_id: int | None = None, owner_id: int | None = None
) -> None:
    """A brand and an owner that exist (a missing one is a 422, never a foreign-key error)."""
    try:
        if store_id is not None:
            stores.get_store(session, store_id)
        if owner_id is not None:
            accounts.get_agent(session, owner_id)
    except NotFound as exc:
        raise InvalidInput(exc.message) from None


def _check_category(session: Session, category_id: int | None, store_id: int | None) -> None:
    if category_id is None:
        return
    try:
        category = get_category(session, category_id)
    except NotFound as exc:
        raise InvalidInput(exc.message) from None
    if category.store_id is not None and category.store_id != store_id:
        raise InvalidInput("that category belongs to another brand")


def _unique_slug(session: Session, article: KbArticle, wanted: str) -> str:
    """`wanted` when free in the article's brand and language, else `wanted-<id>`; a title
    without Latin letters (Chinese) gets the article's id, which never changes."""
    base = slugify(wanted)
    if not base:
        return str(article.id)
    taken = session.scalar(
        select(func.count()).where(
            KbArticle.brand_key == article.brand_key,
            KbArticle.language == article.language,
            KbArticle.slug == base,
            KbArticle.id != article.id,
        )
    )
    return f"{base}-{article.id}" if taken else base


def _render(session: Session, article: KbArticle, summary: str | None) -> None:
    article.body_html = render_markdown(article.body)
    article.summary = (summary or "").strip() or summary_of(article.body)
    article.updated_at = utcnow()
    index_article(session, article, markdown_text(article.body))


def _keep_version(session: Session, article: KbArticle, actor: Actor, note: str) -> None:
    last = session.scalar(
        select(func.max(KbArticleVersion.number)).where(KbArticleVersion.article_id == article.id)
    )
    session.add(
        KbArticleVersion(
            article_id=article.id,
            number=(last or 0) + 1,
            title=article.title,
            body=article.body,
            author_id=actor.agent_id,
            author_name=actor.name,
            note=note,
            created_at=utcnow(),
        )
    )


def create_article(session: Session, *, actor: Actor, data: ArticleCreate) -> KbArticle:
    """A new draft, with version 1."""
    _require_writer(actor)
    _check_references(session, store_id=data.store_id, owner_id=data.owner_id)
    _check_category(session, data.category_id, data.store_id)
    article = KbArticle(
        store_id=data.store_id,
        brand_key=data.store_id or 0,
        category_id=data.category_id,
        language=data.language,
        slug=uuid.uuid4().hex,
        title=data.title,
        body=data.body,
        state="draft",
        visibility=data.visibility,
        position=data.position,
        tags=data.tags,
        owner_id=data.owner_id if data.owner_id is not None else actor.agent_id,
        review_by=data.review_by,
        created_at=utcnow(),
    )
    session.add(article)
    session.flush()
    article.slug = _unique_slug(session, article, data.slug or data.title)
    _render(session, article, data.summary)
    _keep_version(session, article, actor, "")
    session.flush()
    return article


def update_article(
    session: Session, *, actor: Actor, article_id: int, data: ArticleUpdate
) -> KbArticle:
    """Change the given fields; a new version is kept when the title or text changed."""
    article = get_article(session, article_id)
    if not can_edit(actor, article):
        raise PermissionDenied("your role does not allow editing this article (kb.manage)")
    _check_references(session, owner_id=data.owner_id)
    summary_was_made = article.summary == summary_of(article.body)
    changed_text = (data.title is not None and data.title != article.title) or (
        data.body is not None and data.body != article.body
    )
    if data.title is not None:
        article.title = data.title
    if data.body is not None:
        article.body = data.body
    if data.category_id is not None or data.clear_category:
        _check_category(session, data.category_id, article.store_id)
        article.category_id = None if data.clear_category else data.category_id
    if data.slug:
        article.slug = _unique_slug(session, article, data.slug)
    for name in ("visibility", "tags", "owner_id", "review_by", "position"):
        value = getattr(data, name)
        if value is not None:
            setattr(article, name, value)
    if data.clear_review_by:
        article.review_by = None
    if data.clear_owner:
        article.owner_id = None
    if data.summary is not None:
        summary = data.summary
    else:  # a summary made from the text follows it; one someone wrote stays
        summary = "" if summary_was_made else article.summary
    _render(session, article, summary)
    if changed_text:
        _keep_version(session, article, actor, data.note)
    session.flush()
    return article


def change_state(session: Session, *, actor: Actor, article_id: int, state: str) -> KbArticle:
    """Move an article along draft → review → published → archived. Publishing and
    archiving (and leaving those states) need "kb.manage"; publishing emits
    `kb.article_published`."""
    article = get_article(session, article_id)
    if state == article.state:
        return article
    if state not in TRANSITIONS.get(article.state, ()):
        raise Conflict(f"an article cannot go from {article.state} to {state}")
    if state in MANAGED_STATES or article.state in MANAGED_STATES:
        require(actor, "kb.manage")
    elif not can_edit(actor, article):
        raise PermissionDenied("your role does not allow this (kb.write)")
    article.state = state
    article.updated_at = utcnow()
    if state == "published":
        article.published_at = utcnow()
        events.emit(
            session,
            "kb.article_published",
            subject_type="kb_article",
            subject_id=article.id,
            payload={
                "slug": article.slug,
                "language": article.language,
                "store_id": article.store_id,
                "visibility": article.visibility,
            },
            actor=actor,
        )
    session.flush()
    return article


def link_translation(
    session: Session, *, actor: Actor, article_id: int, translation_id: int
) -> None:
    """Make two articles in different languages translations of one another (their groups
    merge); a group holds one article per language."""
    article = get_article(session, article_id)
    other = get_article(session, translation_id)
    _require_writer(actor)
    if article.id == other.id:
        raise InvalidInput("an article cannot translate itself")
    group = article.translation_group or article.id
    members = [*translations_of(session, article), article]
    incoming = [*translations_of(session, other), other]
    languages = [m.language for m in members]
    if any(m.language in languages for m in incoming if m.id not in {a.id for a in members}):
        raise Conflict("the group already has an article in that language")
    for member in members + incoming:
        member.translation_group = group
    session.flush()


def unlink_translation(session: Session, *, actor: Actor, article_id: int) -> None:
    article = get_article(session, article_id)
    _require_writer(actor)
    rest = translations_of(session, article)
    article.translation_group = None
    if len(rest) == 1:
        rest[0].translation_group = None
    elif rest:
        for member in rest:
            member.translation_group = rest[0].id
    session.flush()


def translations_of(session: Session, article: KbArticle) -> list[KbArticle]:
    """The other articles of its translation group, by language."""
    if article.translation_group is None:
        return []
    return list(
        session.scalars(
            select(KbArticle)
            .where(
                KbArticle.translation_group == article.translation_group,
                KbArticle.id != article.id,
            )
            .order_by(KbArticle.language)
        )
    )


def set_related(session: Session, *, actor: Actor, article_id: int, related_ids: list[int]) -> None:
    """Replace an article's "see also" links, in the given order."""
    article = get_article(session, article_id)
    if not can_edit(actor, article):
        raise PermissionDenied("your role does not allow editing this article (kb.manage)")
    wanted = [i for i in dict.fromkeys(related_ids) if i != article.id][:MAX_RELATED]
    for related_id in wanted:
        get_article(session, related_id)
    session.execute(delete(KbRelatedArticle).where(KbRelatedArticle.article_id == article.id))
    session.add_all(
        KbRelatedArticle(article_id=article.id, related_id=related_id, position=position)
        for position, related_id in enumerate(wanted)
    )
    session.flush()


def related_of(session: Session, article_id: int) -> list[KbArticle]:
    return list(
        session.scalars(
            select(KbArticle)
            .join(KbRelatedArticle, KbRelatedArticle.related_id == KbArticle.id)
            .where(KbRelatedArticle.article_id == article_id)
            .order_by(KbRelatedArticle.position)
        )
    )


def due_for_review(
    session: Session, *, today: date, owner_id: int | None = None, limit: int = 200
) -> list[KbArticle]:
    """Published articles whose review-by date has come, most overdue first."""
    statement = select(KbArticle).where(
        KbArticle.state == "published", KbArticle.review_by <= today
    )
    if owner_id is not None:
        statement = statement.where(
            or_(KbArticle.owner_id == owner_id, KbArticle.owner_id.is_(None))
        )
    return list(session.scalars(statement.order_by(KbArticle.review_by, KbArticle.id).limit(limit)))
