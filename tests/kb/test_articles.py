"""Writing articles: who may do what, the states, versions with diff and restore,
translations, related articles and the review list."""

from datetime import date

import pytest

from kefu import events
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, PermissionDenied
from kefu.kb import articles, versions
from kefu.kb.models import KbArticle
from kefu.kb.schemas import ArticleCreate, ArticleUpdate
from kefu.kit.actor import Actor
from tests.kb.factories import AGENT, LIGHT, MANAGER, make_article


def _state(database: Database, article_id: int) -> str:
    with database.unit_of_work() as session:
        return articles.get_article(session, article_id).state


def test_agent_writes_a_draft_and_sends_it_for_review(database: Database) -> None:
    with database.unit_of_work(actor=AGENT) as session:
        article = articles.create_article(
            session, actor=AGENT, data=ArticleCreate(title="Gift wrap", body="Free.")
        )
        articles.change_state(session, actor=AGENT, article_id=article.id, state="review")
    assert _state(database, article.id) == "review"


def test_agent_cannot_publish_and_nothing_changes(database: Database) -> None:
    article = make_article(database, state="review")
    with database.unit_of_work() as session, pytest.raises(PermissionDenied):
        articles.change_state(session, actor=AGENT, article_id=article.id, state="published")
    assert _state(database, article.id) == "review"


def test_light_agent_cannot_write(database: Database) -> None:
    with database.unit_of_work() as session, pytest.raises(PermissionDenied):
        articles.create_article(session, actor=LIGHT, data=ArticleCreate(title="Nope"))


def test_manager_publishes_and_the_event_is_emitted(database: Database) -> None:
    article = make_article(database, state="review")
    with database.unit_of_work() as session:
        articles.change_state(session, actor=MANAGER, article_id=article.id, state="published")
    with database.unit_of_work() as session:
        published = session.get(KbArticle, article.id)
        found = session.query(events.Event).filter_by(type="kb.article_published").all()
        assert published is not None and published.published_at is not None
        assert [(e.subject_type, e.subject_id) for e in found] == [("kb_article", str(article.id))]


def test_archived_article_cannot_go_to_review(database: Database) -> None:
    article = make_article(database, state="archived")
    with database.unit_of_work() as session, pytest.raises(Conflict):
        articles.change_state(session, actor=MANAGER, article_id=article.id, state="review")
    assert _state(database, article.id) == "archived"


def test_agent_cannot_edit_a_published_article(database: Database) -> None:
    article = make_article(database)
    with database.unit_of_work() as session, pytest.raises(PermissionDenied):
        articles.update_article(
            session, actor=AGENT, article_id=article.id, data=ArticleUpdate(title="Changed")
        )


def test_allowed_states_for_agent_and_manager(database: Database) -> None:
    article = make_article(database, state="draft")
    with database.unit_of_work() as session:
        draft = articles.get_article(session, article.id)
        assert articles.allowed_states(AGENT, draft) == ["review"]
        assert articles.allowed_states(MANAGER, draft) == ["review", "published"]


def test_every_save_keeps_a_version_and_a_restore_is_a_new_one(database: Database) -> None:
    # given
    article = make_article(database, title="Sizes", body="S\nM\nL", state="draft")
    with database.unit_of_work() as session:
        update = ArticleUpdate(title="Sizes and fit", body="S\nM\nL\nXL")
        articles.update_article(session, actor=MANAGER, article_id=article.id, data=update)
        articles.update_article(
            session, actor=MANAGER, article_id=article.id, data=ArticleUpdate(tags=["fit"])
        )
    # when
    with database.unit_of_work() as session:
        versions.restore_version(session, actor=MANAGER, article_id=article.id, number=1)
    # then
    with database.unit_of_work() as session:
        kept = versions.list_versions(session, article_id=article.id)
        restored = articles.get_article(session, article.id)
        assert [(v.number, v.title, v.note) for v in kept] == [
            (3, "Sizes", "restored:1"),
            (2, "Sizes and fit", ""),
            (1, "Sizes", ""),
        ]
        assert (restored.title, restored.body, restored.tags) == ("Sizes", "S\nM\nL", ["fit"])


def test_diff_between_versions_is_line_by_line(database: Database) -> None:
    article = make_article(database, body="one\ntwo\n<b>three</b>", state="draft")
    with database.unit_of_work() as session:
        update = ArticleUpdate(body="one\n2\n<b>three</b>\nfour")
        articles.update_article(session, actor=MANAGER, article_id=article.id, data=update)
    with database.unit_of_work() as session:
        diff = versions.diff_versions(session, article_id=article.id, old=1, new=2)
        assert [(line.kind, line.text) for line in diff.lines] == [
            ("same", "one"),
            ("removed", "two"),
            ("added", "2"),
            ("same", "<b>three</b>"),
            ("added", "four"),
        ]
        assert (diff.added, diff.removed, diff.title_changed) == (2, 1, False)


def test_diff_skips_long_unchanged_stretches() -> None:
    old = "\n".join(str(n) for n in range(1, 21))
    new = old.replace("10", "ten")
    lines = versions.diff_lines(old, new, context=1)
    assert [(line.kind, line.text) for line in lines] == [
        ("gap", "…"),
        ("same", "9"),
        ("removed", "10"),
        ("added", "ten"),
        ("same", "11"),
    ]


def test_translations_hold_one_article_per_language(database: Database) -> None:
    english = make_article(database, title="Invoices")
    chinese = make_article(database, title="发票", language="zh-CN")
    another = make_article(database, title="开发票", language="zh-CN")
    with database.unit_of_work() as session:
        articles.link_translation(
            session, actor=MANAGER, article_id=english.id, translation_id=chinese.id
        )
    with database.unit_of_work() as session, pytest.raises(Conflict):
        articles.link_translation(
            session, actor=MANAGER, article_id=english.id, translation_id=another.id
        )
    with database.unit_of_work() as session:
        found = articles.translations_of(session, articles.get_article(session, chinese.id))
        assert [a.id for a in found] == [english.id]
        articles.unlink_translation(session, actor=MANAGER, article_id=chinese.id)
    with database.unit_of_work() as session:
        assert articles.get_article(session, english.id).translation_group is None


def test_related_articles_in_order(database: Database) -> None:
    first = make_article(database, title="A")
    second = make_article(database, title="B")
    third = make_article(database, title="C")
    with database.unit_of_work() as session:
        articles.set_related(
            session, actor=MANAGER, article_id=first.id, related_ids=[third.id, second.id, first.id]
        )
    with database.unit_of_work() as session:
        assert [a.title for a in articles.related_of(session, first.id)] == ["C", "B"]


def test_due_for_review_lists_published_articles_whose_date_came(database: Database) -> None:
    make_article(database, title="Late", review_by=date(2026, 11, 1))
    make_article(database, title="Today", review_by=date(2026, 12, 5))
    make_article(database, title="Later", review_by=date(2027, 1, 1))
    make_article(database, title="Draft", review_by=date(2026, 11, 1), state="draft")
    with database.unit_of_work() as session:
        due = articles.due_for_review(session, today=date(2026, 12, 5))
    assert [a.title for a in due] == ["Late", "Today"]


def test_slug_is_unique_per_brand_and_language(database: Database) -> None:
    first = make_article(database, title="Returns")
    second = make_article(database, title="Returns")
    chinese = make_article(database, title="Returns", language="zh-CN")
    assert (first.slug, second.slug, chinese.slug) == ("returns", f"returns-{second.id}", "returns")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        ArticleCreate(title="x", language="fr")


def test_category_of_another_brand_is_refused(database: Database) -> None:
    from tests.commerce.factories import make_store
    from tests.kb.factories import make_category

    lumen = make_store(database, name="Lumen")
    category = make_category(database, store_id=lumen.id)
    with database.unit_of_work() as session, pytest.raises(InvalidInput):
        articles.create_article(
            session,
            actor=Actor.system(),
            data=ArticleCreate(title="x", category_id=category.id),
        )
