"""X-Twilio-Signature: how a Twilio-compatible provider proves a webhook came from it.

The provider takes the full URL it called (scheme, host, port if any, path, query), appends
every POST parameter as name followed by value with no separator, sorted by name (and by
value for a repeated name), signs that with HMAC-SHA1 keyed by the line's auth token and
sends the digest in base64."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

HEADER = "X-Twilio-Signature"


def sign(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def url_variants(url: str) -> list[str]:
    """The URL as given and with its default port written out or left off: providers (and
    proxies in front of kefu) differ on whether ":443" is part of the URL they sign."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    variants = [url]
    if default is not None and parts.port in (None, default):
        bare = urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
        with_port = urlunsplit((parts.scheme, f"{host}:{default}", parts.path, parts.query, ""))
        variants += [v for v in (bare, with_port) if v not in variants]
    return variants


def is_valid(
    auth_token: str, signature: str | None, urls: Iterable[str], params: list[tuple[str, str]]
) -> bool:
    """Whether the signature matches one of the URLs the request may have been sent to.
    Compared in constant time; a missing signature or an empty token is never valid."""
    if not signature or not auth_token:
        return False
    given = signature.strip().encode("ascii", "replace")
    found = False
    for url in dict.fromkeys(v for u in urls for v in url_variants(u)):
        expected = sign(auth_token, url, params).encode("ascii")
        found |= hmac.compare_digest(expected, given)
    return found
