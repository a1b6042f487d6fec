"""XOAUTH2 token refresh against a token endpoint on loopback answering in Google's and
Microsoft's documented formats."""

from datetime import UTC, datetime, timedelta

import pytest

from kefu.channels.email import mailboxes, oauth
from kefu.channels.email.models import Mailbox
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.kit import secretbox
from tests.channels.email.mailbox_factories import KEY, TokenEndpoint, closed_port, make_mailbox

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GOOGLE_OK = {
    "access_token": "ya29.a0AfH6SM-new",
    "expires_in": 3599,
    "scope": "https://mail.google.com/",
    "token_type": "Bearer",
}
MICROSOFT_OK = {
    "token_type": "Bearer",
    "scope": "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    "expires_in": 4283,
    "ext_expires_in": 4283,
    "access_token": "eyJ0eXAiOi-new",
    "refresh_token": "M.C507_rotated",
}
MICROSOFT_INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "AADSTS700082: The refresh token has expired due to inactivity.",
    "error_codes": [700082],
    "timestamp": "2026-11-23 12:00:00Z",
    "trace_id": "0000",
    "correlation_id": "1111",
}


def _refresh(url: str, **overrides: object) -> oauth.AccessToken:
    values: dict[str, object] = {
        "token_url": url,
        "client_id": "client-1",
        "client_secret": "client-secret-1",
        "refresh_token": "refresh-1",
        "scope": None,
        "now": NOW,
        **overrides,
    }
    return oauth.refresh_access_token(**values)  # type: ignore[arg-type]


def test_google_refresh_sends_the_documented_form_and_reads_the_answer() -> None:
    with TokenEndpoint([(200, GOOGLE_OK)]) as endpoint:
        token = _refresh(endpoint.url)
    assert endpoint.requests == [
        {
            "grant_type": "refresh_token",
            "refresh_token": "refresh-1",
            "client_id": "client-1",
            "client_secret": "client-secret-1",
        }
    ]
    assert endpoint.content_types == ["application/x-www-form-urlencoded"]
    assert token == oauth.AccessToken(
        access_token="ya29.a0AfH6SM-new",
        expires_at=NOW + timedelta(seconds=3599),
        refresh_token=None,
        scope="https://mail.google.com/",
    )


def test_microsoft_refresh_sends_the_scope_and_returns_the_rotated_refresh_token() -> None:
    scope = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access"
    with TokenEndpoint([(200, MICROSOFT_OK)]) as endpoint:
        token = _refresh(endpoint.url, client_secret=None, scope=scope)
    assert endpoint.requests[0] == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "client_id": "client-1",
        "scope": scope,
    }
    assert (token.access_token, token.refresh_token) == ("eyJ0eXAiOi-new", "M.C507_rotated")
    assert token.expires_at == NOW + timedelta(seconds=4283)


def test_invalid_grant_says_to_sign_in_again_in_the_providers_words() -> None:
    with (
        TokenEndpoint([(400, MICROSOFT_INVALID_GRANT)]) as endpoint,
        pytest.raises(oauth.TokenRefreshFailed) as refused,
    ):
        _refresh(endpoint.url)
    assert refused.value.error == "invalid_grant"
    assert refused.value.message == (
        "token refresh refused (invalid_grant: AADSTS700082: The refresh token has expired due "
        "to inactivity.); the refresh token was refused (expired, revoked, or issued to another "
        "client): sign in to the provider again and paste a new refresh token"
    )


def test_invalid_client_names_the_client_credentials() -> None:
    answer = {"error": "invalid_client", "error_description": "Unauthorized"}
    with (
        TokenEndpoint([(401, answer)]) as endpoint,
        pytest.raises(oauth.TokenRefreshFailed) as refused,
    ):
        _refresh(endpoint.url)
    assert refused.value.error == "invalid_client"
    assert "client id or client secret was refused" in refused.value.message


def test_a_page_instead_of_json_is_reported_with_its_status() -> None:
    with (
        TokenEndpoint([(502, b"<html>Bad Gateway</html>")]) as endpoint,
        pytest.raises(oauth.TokenRefreshFailed) as refused,
    ):
        _refresh(endpoint.url)
    assert refused.value.message == (
        f"the token endpoint {endpoint.url} answered HTTP 502 without JSON: "
        "'<html>Bad Gateway</html>'"
    )


def test_an_answer_without_access_token_is_refused() -> None:
    with (
        TokenEndpoint([(200, {"token_type": "Bearer"})]) as endpoint,
        pytest.raises(oauth.TokenRefreshFailed) as refused,
    ):
        _refresh(endpoint.url)
    assert refused.value.message.endswith("answered without access_token")


def test_an_unreachable_token_endpoint_says_so() -> None:
    url = f"http://127.0.0.1:{closed_port()}/token"
    with pytest.raises(oauth.TokenRefreshFailed) as refused:
        _refresh(url)
    assert refused.value.message.startswith(f"could not reach the token endpoint {url}: ")
    assert "refused" in refused.value.message.lower()


def _oauth_mailbox(database: Database, url: str) -> Mailbox:
    return make_mailbox(
        database,
        auth_kind="xoauth2",
        imap_password=None,
        smtp_password=None,
        oauth_token_url=url,
        oauth_client_id="client-1",
        oauth_client_secret="client-secret-1",
        oauth_refresh_token="refresh-1",
        oauth_scope="https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    )


def test_server_settings_refreshes_stores_the_token_and_keeps_the_rotated_one(
    database: Database,
) -> None:
    with TokenEndpoint([(200, MICROSOFT_OK)]) as endpoint:
        created = _oauth_mailbox(database, endpoint.url)
        with database.unit_of_work() as session:
            mailbox = mailboxes.get_mailbox(session, created.id)
            settings = mailboxes.server_settings(session, mailbox, "smtp", now=NOW, key=KEY)
        # a second call within the token's life asks nothing (the endpoint has no answer left)
        with database.unit_of_work() as session:
            mailbox = mailboxes.get_mailbox(session, created.id)
            again = mailboxes.server_settings(
                session, mailbox, "imap", now=NOW + timedelta(minutes=60), key=KEY
            )
    assert len(endpoint.requests) == 1
    assert endpoint.requests[0]["client_secret"] == "client-secret-1"
    assert (settings.auth_kind, settings.secret, settings.username) == (
        "xoauth2",
        "eyJ0eXAiOi-new",
        "support@shop.example",
    )
    assert again.secret == "eyJ0eXAiOi-new"
    with database.sessions() as session:
        stored = mailboxes.get_mailbox(session, created.id)
        assert stored.oauth_expires_at == NOW + timedelta(seconds=4283)
        assert secretbox.decrypt(stored.oauth_access_token_enc or "", key=KEY) == "eyJ0eXAiOi-new"
        assert secretbox.decrypt(stored.oauth_refresh_token_enc or "", key=KEY) == (
            "M.C507_rotated"
        )
        changes = repr(session.query(AuditEntry.changes).all())
    assert "M.C507_rotated" not in changes and "eyJ0eXAiOi-new" not in changes


def test_a_token_expiring_within_five_minutes_is_refreshed(database: Database) -> None:
    with TokenEndpoint([(200, GOOGLE_OK), (200, GOOGLE_OK | {"access_token": "second"})]) as ep:
        created = _oauth_mailbox(database, ep.url)
        with database.unit_of_work() as session:
            mailbox = mailboxes.get_mailbox(session, created.id)
            mailboxes.server_settings(session, mailbox, "imap", now=NOW, key=KEY)
        later = NOW + timedelta(seconds=3599) - timedelta(minutes=5)
        with database.unit_of_work() as session:
            mailbox = mailboxes.get_mailbox(session, created.id)
            settings = mailboxes.server_settings(session, mailbox, "imap", now=later, key=KEY)
    assert settings.secret == "second" and len(ep.requests) == 2
    with database.sessions() as session:
        stored = mailboxes.get_mailbox(session, created.id)
        # Google sends no new refresh token: the old one stays
        assert secretbox.decrypt(stored.oauth_refresh_token_enc or "", key=KEY) == "refresh-1"


def test_a_refused_refresh_stores_nothing(database: Database) -> None:
    with TokenEndpoint([(400, MICROSOFT_INVALID_GRANT)]) as endpoint:
        created = _oauth_mailbox(database, endpoint.url)
        with pytest.raises(oauth.TokenRefreshFailed), database.unit_of_work() as session:
            mailbox = mailboxes.get_mailbox(session, created.id)
            mailboxes.server_settings(session, mailbox, "imap", now=NOW, key=KEY)
    with database.sessions() as session:
        stored = mailboxes.get_mailbox(session, created.id)
        assert (stored.oauth_access_token_enc, stored.oauth_expires_at) == (None, None)
        assert secretbox.decrypt(stored.oauth_refresh_token_enc or "", key=KEY) == "refresh-1"
