"""Helpers for driving kefu's pages through the test client as a browser would."""

import re
from typing import Any

CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: Any, email: str, password: str) -> Any:
    token = csrf_token(client.get("/login").text)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )
