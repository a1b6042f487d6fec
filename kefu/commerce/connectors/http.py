"""HTTP to a store's API: one client per call, bounded timeouts, and every failure turned into
ConnectorRejected (the store said no, in its own words) or ConnectorUnavailable (it could not
answer: down, slow, 5xx, rate limited)."""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx

from kefu import __version__
from kefu.commerce.connectors.base import ConnectorRejected, ConnectorUnavailable

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
MAX_REASON = 500
USER_AGENT = f"kefu/{__version__}"

ReasonOf = Callable[[Any], str | None]
IsRefusal = Callable[[int, Any], bool]


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_url(base_url: str) -> str:
    """The store's address with a scheme: "shop.myshopify.com" -> "https://shop.myshopify.com".

    Plain http only reaches a store on this machine (a development or test server): elsewhere
    the API credentials would cross the network in clear text."""
    raw = base_url.strip().rstrip("/")
    if not raw:
        raise ConnectorUnavailable("the store has no base URL: set it under Admin → Stores")
    url = raw if "://" in raw else f"https://{raw}"
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https") or (scheme == "http" and not is_loopback(url)):
        raise ConnectorUnavailable(f"the store's base URL must be https: {raw}")
    return url


class StoreHttp:
    """Requests to one store; `reason_of(body)` finds the provider's own error text."""

    def __init__(
        self,
        base_url: str,
        *,
        platform: str,
        reason_of: ReasonOf,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        params: dict[str, str] | None = None,
        timeout: httpx.Timeout = TIMEOUT,
        is_refusal: IsRefusal | None = None,
    ) -> None:
        self.platform = platform
        self.reason_of = reason_of
        self.is_refusal = is_refusal
        self.client = httpx.Client(
            base_url=base_url,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            auth=auth,
            params=params,
            timeout=timeout,
            follow_redirects=False,
        )

    def __enter__(self) -> StoreHttp:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.client.close()

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The response of a 2xx answer; raises for anything else."""
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ConnectorUnavailable(f"{self.platform} did not answer in time ({exc})") from exc
        except httpx.HTTPError as exc:
            raise ConnectorUnavailable(f"{self.platform} could not be reached: {exc}") from exc
        if response.is_success:
            return response
        self.fail(response)
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        if not response.content:
            return {}
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConnectorUnavailable(
                f"{self.platform} answered {method} {path} with something that is not JSON"
            ) from exc

    def fail(self, response: httpx.Response) -> None:
        """A refusal in the provider's own words (4xx, or a 5xx the provider words as a
        refusal), or "unavailable" (other 5xx, 429, 3xx)."""
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        reason = (self.reason_of(body) if body is not None else None) or _plain(response)
        status = response.status_code
        log.warning("%s answered %s: %s", self.platform, status, reason)
        if status == 429:
            raise ConnectorUnavailable(f"{self.platform} is rate limiting kefu; try again shortly")
        refused = self.is_refusal is not None and self.is_refusal(status, body)
        if 400 <= status < 500 or refused:
            raise ConnectorRejected(f"{self.platform} refused: {reason}"[:MAX_REASON])
        raise ConnectorUnavailable(f"{self.platform} answered {status}: {reason}"[:MAX_REASON])


def _plain(response: httpx.Response) -> str:
    text = response.text.strip() if response.content else ""
    return text[:200] or response.reason_phrase or f"HTTP {response.status_code}"


def flatten_errors(errors: Any) -> str:
    """Shopify's `errors`: "text", ["text", ...] or {"field": ["text", ...]} as one line."""
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(flatten_errors(e) for e in errors)
    if isinstance(errors, dict):
        parts = []
        for field, value in errors.items():
            said = flatten_errors(value)
            parts.append(said if field in ("base", "") else f"{field}: {said}")
        return "; ".join(parts)
    return json.dumps(errors)
