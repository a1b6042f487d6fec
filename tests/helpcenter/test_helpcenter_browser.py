"""In a real browser at phone width, in English and Chinese: search-as-you-type finds an
article by an English prefix and by a two-character Chinese term, the contact form suggests
it while the customer types, sending opens a ticket; drafts and internal articles are 404."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kefu.db import Database
from kefu.tickets.models import Ticket
from tests.conftest import STEP_TIMEOUT_MS
from tests.helpcenter.factories import link, make_article, make_brand

pytestmark = pytest.mark.slow
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
SHOTS = Path(__file__).resolve().parents[2] / "data" / "helpcenter-shots"


def _fits_the_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


def _tickets(database: Database) -> list[tuple[str, str, int | None]]:
    with database.sessions() as session:
        rows = session.execute(select(Ticket.subject, Ticket.channel, Ticket.store_id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("language", "typed", "subject", "slug", "title"),
    [
        ("en", "refu", "Can I get a refund?", "refunds", "Refunds and returns"),
        ("zh-CN", "退款", "我想退款", "tuikuan", "如何申请退款"),
    ],
)
def test_a_customer_searches_is_offered_the_article_and_writes_in(
    browser: Any,
    live_server: str,
    database: Database,
    language: str,
    typed: str,
    subject: str,
    slug: str,
    title: str,
) -> None:
    # given
    store_id = make_brand(database, primary_color="#0f766e")
    english = make_article(
        database, store_id=store_id, slug="refunds", title="Refunds and returns",
        body="Ask for a refund from the order page within 30 days.",
    )  # fmt: skip
    chinese = make_article(
        database, store_id=store_id, language="zh-CN", slug="tuikuan", title="如何申请退款",
        body="在订单页面点击申请退款，三十天内有效。",
    )  # fmt: skip
    link(database, english, translation=chinese)
    make_article(database, store_id=store_id, state="draft", slug="draft-refund")
    make_article(database, store_id=store_id, visibility="internal", slug="refund-script")
    base = f"{live_server}/help/lumen/{language}"
    context = browser.new_context(locale="zh-CN" if language == "zh-CN" else "en-US", **PHONE)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        # search as you type
        page.goto(f"{base}/")
        _fits_the_phone(page)
        page.locator("#hc-q").press_sequentially(typed, delay=30)
        expect(page.locator("#hc-live").get_by_role("link", name=title)).to_be_visible()
        page.locator("#hc-live").get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        _fits_the_phone(page)
        page.screenshot(path=SHOTS / f"article-{language}.png", full_page=True)
        # the contact form suggests the article, then opens a ticket
        page.goto(f"{base}/contact")
        page.locator("#hc-email").fill("emily@example.com")
        page.locator("#hc-subject").press_sequentially(subject, delay=20)
        expect(page.locator("#hc-suggestions").get_by_role("link", name=title)).to_be_visible()
        page.screenshot(path=SHOTS / f"contact-{language}.png", full_page=True)
        page.locator("#hc-message").fill("Order 1001 arrived broken.")
        page.locator("form.hc-contact button[type=submit]").click()
        expect(page).to_have_url(f"{base}/contact/sent")
        assert _tickets(database) == [(subject, "web", store_id)]
        # what visitors may not see
        for hidden in ("draft-refund", "refund-script"):
            response = page.goto(f"{live_server}/help/lumen/en/articles/{hidden}")
            assert response is not None and response.status == 404
        assert page.goto(f"{base}/articles/{slug}").status == 200  # type: ignore[union-attr]
    finally:
        context.close()
