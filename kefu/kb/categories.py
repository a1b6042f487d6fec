"""Categories and their sections: write them, order them, show them in one language."""

from collections.abc import Iterable

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from kefu.commerce import stores
from kefu.errors import InvalidInput, NotFound
from kefu.kb.markdown import slugify
from kefu.kb.models import KbArticle, KbCategory
from kefu.kb.views import CategoryRef, CategoryView
from kefu.kit.actor import Actor
from kefu.permissions import require

LANGUAGES = ("en", "zh_Hans")


def name_in(names: dict[str, str], language: str) -> str:
    """The text in `language`, else English, else any."""
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


def create_category(
    session: Session,
    *,
    actor: Actor,
    names: dict[str, str],
    store_id: int | None = None,
    parent_id: int | None = None,
    descriptions: dict[str, str] | None = None,
    slug: str = "",
    position: int | None = None,
) -> KbCategory:
    """A category (or, with `parent_id`, a section of one) placed last unless `position`."""
    require(actor, "kb.manage")
    names = {k: v.strip() for k, v in names.items() if k in LANGUAGES and v.strip()}
    if not names:
        raise InvalidInput("a category needs a name")
    if store_id is not None and parent_id is None:
        try:
            stores.get_store(session, store_id)
        except NotFound as exc:
            raise InvalidInput(exc.message) from None
    if parent_id is not None:
        parent = get_category(session, parent_id)
        if parent.parent_id is not None:
            raise InvalidInput("a section cannot hold sections")
        store_id = parent.store_id
    if position is None:
        last = session.scalar(
            select(func.max(KbCategory.position)).where(_siblings(parent_id, store_id))
        )
        position = (last or 0) + 1
    category = KbCategory(
        names=names,
        descriptions=descriptions or {},
        store_id=store_id,
        parent_id=parent_id,
        slug=slugify(slug or names.get("en", "")) or "",
        position=position,
    )
    session.add(category)
    session.flush()
    if not category.slug:
        category.slug = str(category.id)
    return category


def _siblings(parent_id: int | None, store_id: int | None):
    parent = (
        KbCategory.parent_id.is_(None) if parent_id is None else (KbCategory.parent_id == parent_id)
    )
    store = KbCategory.store_id.is_(None) if store_id is None else (KbCategory.store_id == store_id)
    return parent & store


def get_category(session: Session, category_id: int) -> KbCategory:
    category = session.get(KbCategory, category_id)
    if category is None:
        raise NotFound(f"category {category_id} not found")
    return category


def update_category(
    session: Session,
    *,
    actor: Actor,
    category_id: int,
    names: dict[str, str],
    descriptions: dict[str, str] | None = None,
    slug: str = "",
) -> KbCategory:
    require(actor, "kb.manage")
    category = get_category(session, category_id)
    names = {k: v.strip() for k, v in names.items() if k in LANGUAGES and v.strip()}
    if not names:
        raise InvalidInput("a category needs a name")
    category.names = names
    if descriptions is not None:
        category.descriptions = {k: v.strip() for k, v in descriptions.items() if v.strip()}
    if slug.strip():
        category.slug = slugify(slug) or category.slug
    session.flush()
    return category


def move_category(session: Session, *, actor: Actor, category_id: int, direction: str) -> None:
    """Swap a category (or section) with its neighbour above ("up") or below ("down")."""
    require(actor, "kb.manage")
    category = get_category(session, category_id)
    siblings = list(
        session.scalars(
            select(KbCategory)
            .where(_siblings(category.parent_id, category.store_id))
            .order_by(KbCategory.position, KbCategory.id)
        )
    )
    for position, sibling in enumerate(siblings):
        sibling.position = position
    index = siblings.index(category)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = other, index
    session.flush()


def delete_category(session: Session, *, actor: Actor, category_id: int) -> None:
    """Delete a category and its sections; their articles stay, without a category."""
    require(actor, "kb.manage")
    category = get_category(session, category_id)
    ids = [category.id] + [
        c.id for c in session.scalars(select(KbCategory).where(KbCategory.parent_id == category.id))
    ]
    session.execute(
        update(KbArticle).where(KbArticle.category_id.in_(ids)).values(category_id=None)
    )
    session.delete(category)
    session.flush()


def all_categories(session: Session, *, store_id: int | None = None) -> list[KbCategory]:
    """Every category and section in order (a brand's and the all-brand ones)."""
    statement = select(KbCategory).order_by(KbCategory.position, KbCategory.id)
    if store_id is not None:
        statement = statement.where(
            or_(KbCategory.store_id == store_id, KbCategory.store_id.is_(None))
        )
    return list(session.scalars(statement))


def category_refs(
    session: Session, ids: Iterable[int | None], language: str
) -> dict[int, CategoryRef]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.scalars(select(KbCategory).where(KbCategory.id.in_(wanted)))
    return {c.id: CategoryRef(c.id, c.slug, name_in(c.names, language)) for c in rows}


def public_categories(
    session: Session, *, store_id: int | None, language: str
) -> list[CategoryView]:
    """The brand's categories in order, each with its sections, counting the published
    public articles in `language`; categories with no such article anywhere are left out."""
    categories = all_categories(session, store_id=store_id)
    counted = select(KbArticle.category_id, func.count()).where(
        KbArticle.state == "published",
        KbArticle.visibility == "public",
        KbArticle.language == language,
    )
    if store_id is not None:
        counted = counted.where(or_(KbArticle.store_id == store_id, KbArticle.store_id.is_(None)))
    rows = session.execute(counted.group_by(KbArticle.category_id)).all()
    counts: dict[int | None, int] = {row[0]: row[1] for row in rows}

    def view(category: KbCategory, sections: list[CategoryView]) -> CategoryView:
        return CategoryView(
            id=category.id,
            slug=category.slug,
            name=name_in(category.names, language),
            description=name_in(category.descriptions, language) if category.descriptions else "",
            position=category.position,
            store_id=category.store_id,
            parent_id=category.parent_id,
            article_count=counts.get(category.id, 0) + sum(s.article_count for s in sections),
            sections=sections,
        )

    result = []
    for top in (c for c in categories if c.parent_id is None):
        sections = [view(c, []) for c in categories if c.parent_id == top.id]
        shown = view(top, [s for s in sections if s.article_count])
        if shown.article_count:
            result.append(shown)
    return result
