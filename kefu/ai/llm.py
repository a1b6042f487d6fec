"""The optional OpenAI-compatible endpoint (a local llama.cpp or Ollama server, or any
service an admin chooses): its settings, with the API key encrypted at rest by the instance
key, and one chat-completion call with a short timeout and no retries.

Nothing is sent anywhere unless an admin switched the endpoint on and gave its address; what
is sent is the prompt the caller built (kefu.ai.llm_text: one ticket's text) and nothing else.
Every failure becomes an `EndpointFailed` saying exactly what went wrong, so callers fall
back to the offline result and the test-connection button can report it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2 as httpx
from sqlalchemy.orm import Session

from kefu.ai import switches
from kefu.ai.models import AiSettings
from kefu.errors import InvalidInput
from kefu.kit import secretbox
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_, gettext
from kefu.permissions import require

log = logging.getLogger(__name__)
MIN_TIMEOUT, MAX_TIMEOUT = 1, 120
MAX_KEY = 500
MAX_ANSWER = 4000


class EndpointFailed(Exception):
    """The endpoint did not give an answer; `str()` says what failed, for people."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str  # the base, e.g. http://127.0.0.1:11434/v1
    model: str
    api_key: str
    timeout_seconds: int

    @property
    def completions_url(self) -> str:
        return self.url.rstrip("/") + "/chat/completions"


def configured(session: Session, *, key: str) -> Endpoint | None:
    """The endpoint when an admin switched it on and gave its address, else None."""
    row = session.get(AiSettings, 1)
    if row is None or not row.endpoint or not row.endpoint_url:
        return None
    return _endpoint(row, key=key)


def saved(session: Session, *, key: str) -> Endpoint | None:
    """The saved endpoint whether switched on or not (what "Test connection" tries)."""
    row = session.get(AiSettings, 1)
    if row is None or not row.endpoint_url:
        return None
    return _endpoint(row, key=key)


def _endpoint(row: AiSettings, *, key: str) -> Endpoint:
    api_key = secretbox.decrypt(row.endpoint_key, key=key) if row.endpoint_key else ""
    timeout = row.endpoint_timeout_seconds or 30
    return Endpoint(row.endpoint_url, row.endpoint_model, api_key, timeout)


def has_key(session: Session) -> bool:
    row = session.get(AiSettings, 1)
    return bool(row is not None and row.endpoint_key)


def timeout_of(session: Session) -> int:
    row = session.get(AiSettings, 1)
    return row.endpoint_timeout_seconds if row is not None else 30


def save_access(
    session: Session, *, actor: Actor, key: str, api_key: str | None, timeout_seconds: int,
    forget_key: bool = False,
) -> None:  # fmt: skip
    """Store the API key (encrypted; None keeps the saved one, `forget_key` removes it) and
    the timeout. The settings row exists: kefu.ai.switches.save made it."""
    require(actor, switches.MANAGE)
    if not MIN_TIMEOUT <= timeout_seconds <= MAX_TIMEOUT:
        raise InvalidInput(f"the endpoint's timeout must be {MIN_TIMEOUT} to {MAX_TIMEOUT} seconds")
    if api_key is not None and (len(api_key) > MAX_KEY or any(c.isspace() for c in api_key)):
        raise InvalidInput("the API key must be one word of at most 500 characters")
    row = session.get(AiSettings, 1)
    if row is None:
        row = AiSettings(id=1)
        session.add(row)
    if forget_key:
        row.endpoint_key = ""
    elif api_key:
        row.endpoint_key = secretbox.encrypt(api_key, key=key)
    row.endpoint_timeout_seconds = timeout_seconds
    session.flush()


def complete(endpoint: Endpoint, messages: list[dict[str, str]], *, max_tokens: int = 400) -> str:
    """One chat completion: the first choice's text. Raises EndpointFailed."""
    headers = {"Content-Type": "application/json"}
    if endpoint.api_key:
        headers["Authorization"] = f"Bearer {endpoint.api_key}"
    body = {"model": endpoint.model or "default", "messages": messages,
            "max_tokens": max_tokens, "temperature": 0.2, "stream": False}  # fmt: skip
    where = _where(endpoint)
    try:
        with httpx.Client(timeout=endpoint.timeout_seconds, follow_redirects=False) as client:
            response = client.post(endpoint.completions_url, json=body, headers=headers)
    except httpx.TimeoutException as exc:
        raise EndpointFailed(gettext(N_("%(where)s did not answer within %(seconds)s s.")) % {
            "where": where, "seconds": endpoint.timeout_seconds}) from exc  # fmt: skip
    except httpx.ConnectError as exc:
        raise EndpointFailed(gettext(N_("Could not connect to %(where)s: %(error)s")) % {
            "where": where, "error": _first_line(exc)}) from exc  # fmt: skip
    except httpx.HTTPError as exc:
        raise EndpointFailed(gettext(N_("The request to %(where)s failed: %(error)s")) % {
            "where": where, "error": _first_line(exc)}) from exc  # fmt: skip
    if response.status_code != 200:
        detail = " ".join(response.text.split())[:200]
        raise EndpointFailed(
            gettext(N_("%(where)s answered HTTP %(status)s: %(detail)s"))
            % {"where": where, "status": response.status_code, "detail": detail or "—"}
        )
    try:
        text = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise EndpointFailed(
            gettext(N_("%(where)s answered, but not with a chat completion (no choices[0]"
                       ".message.content).")) % {"where": where}
        ) from exc  # fmt: skip
    if not isinstance(text, str) or not text.strip():
        raise EndpointFailed(gettext(N_("%(where)s answered with an empty text.")) % {
            "where": where})  # fmt: skip
    return text.strip()[:MAX_ANSWER]


def check(endpoint: Endpoint) -> str:
    """ "Test connection": a one-line chat; returns what the model said, or raises
    EndpointFailed with what went wrong."""
    return complete(endpoint, [{"role": "user", "content": "Reply with the word OK."}],
                    max_tokens=8)  # fmt: skip


def _where(endpoint: Endpoint) -> str:
    parts = urlsplit(endpoint.completions_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200] if text else type(exc).__name__
