"""In a real browser: a manager writes an article with the live Markdown preview, publishes
it, edits it, reads the diff between the versions and restores the first one."""

from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.db import Database
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow


def test_write_preview_publish_edit_diff_and_restore(
    browser: Any, live_server: str, database: Database
) -> None:
    make_agent(database, email="lead@example.com", name="Lea Lead", role=Role.MANAGER)
    context, page = signed_in_page(browser, live_server, "lead@example.com")
    # the top bar leads to the knowledge base
    page.goto(live_server + "/")
    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("link", name="New article").click()
    # writing: the preview follows the Markdown
    page.get_by_label("Title").fill("Returns policy")
    page.get_by_label("Text (Markdown)").fill("Return within **30 days**.\n\n- tags on")
    preview = page.locator("#kb-preview")
    expect(preview.locator("strong")).to_have_text("30 days")
    expect(preview.locator("li")).to_have_text("tags on")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Article saved as a draft.")).to_be_visible()
    # publishing
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("[data-state]")).to_have_text("Published")
    # editing makes version 2
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Text (Markdown)").fill("Return within **14 days**.\n\n- tags on")
    expect(preview.locator("strong")).to_have_text("14 days")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Article saved.")).to_be_visible()
    expect(page.locator(".kb-body strong")).to_have_text("14 days")
    # the diff shows the changed line, and restoring version 1 brings it back
    page.get_by_role("link", name="Versions").click()
    expect(page.locator(".kb-diff-removed")).to_contain_text("Return within **30 days**.")
    expect(page.locator(".kb-diff-added")).to_contain_text("Return within **14 days**.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('[data-version="1"]').get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Version 1 restored.")).to_be_visible()
    expect(page.locator('[data-version="3"]')).to_contain_text("Restored from version 1")
    page.get_by_role("link", name="Back to the article").click()
    expect(page.locator(".kb-body strong")).to_have_text("30 days")
    expect(page.locator("[data-state]")).to_have_text("Published")
    context.close()


def test_knowledge_base_pages_fit_a_phone(
    browser: Any, live_server: str, database: Database
) -> None:
    from tests.kb.factories import make_article

    article = make_article(
        database,
        title="尺码指南",
        body="| 尺码 | 胸围（厘米） | 腰围（厘米） |\n|---|---|---|\n| S | 86–90 | 70–74 |",
        language="zh-CN",
    )
    make_agent(database, email="lead@example.com", name="Lea Lead", role=Role.MANAGER)
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
    context, page = signed_in_page(browser, live_server, "lead@example.com", **phone)
    for path in ("/kb", f"/kb/articles/{article.id}", "/kb/articles/new", "/kb?q=尺码"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()
