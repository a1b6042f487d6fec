"""End to end in Chromium: sign in, the home page, Chinese, errors and throttling."""

from typing import Any

import pytest

from kefu.db import Database
from tests.accounts.factories import PASSWORD, make_admin

pytestmark = pytest.mark.slow


def fill_sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_signs_in_and_switches_to_chinese(
    page: Any, live_server: str, database: Database
) -> None:
    make_admin(database)
    fill_sign_in(page, live_server, "admin@example.com", PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", name="My open tickets").is_visible()
    page.get_by_label("Language").select_option("zh_Hans")
    page.wait_for_selector("html[lang=zh-Hans]")
    assert page.get_by_role("button", name="退出").is_visible()
    # the choice is the agent's: it stays after signing out and in again
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server}/login")
    assert page.get_by_role("heading", name="登录 kefu").is_visible()


def test_wrong_password_shows_error_and_sixth_try_is_throttled(
    page: Any, live_server: str, database: Database
) -> None:
    make_admin(database)
    fill_sign_in(page, live_server, "admin@example.com", "wrong password")
    assert page.get_by_role("alert").inner_text() == "Wrong email or password."
    for n in range(4):
        fill_sign_in(page, live_server, "admin@example.com", f"wrong {n}")
        assert "Wrong email or password." in page.get_by_role("alert").inner_text()
    fill_sign_in(page, live_server, "admin@example.com", PASSWORD)
    assert "Too many failed sign-in attempts" in page.get_by_role("alert").inner_text()
    assert page.url.startswith(f"{live_server}/login")


def test_sign_in_page_fits_a_phone(browser: Any, live_server: str, database: Database) -> None:
    make_admin(database)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    phone.goto(f"{live_server}/login")
    assert phone.get_by_role("heading", name="登录 kefu").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390
