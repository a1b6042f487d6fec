"""Secrets kept at rest (mailbox passwords, OAuth tokens), encrypted with the instance key.

Fernet (AES-128-CBC + HMAC-SHA256) with its key derived from the instance key by
HKDF-SHA256, so the instance key itself never encrypts anything and a change of purpose gets
its own derived key. A secret saved under another instance key cannot be read back: that is
reported as `SecretUnreadable`, never as a crash deep in a fetcher."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kefu.errors import ConfigError, KefuError

_INFO = b"kefu secretbox v1"


class SecretUnreadable(ConfigError, KefuError):
    """A stored secret does not decrypt with this instance key (the key changed since)."""

    status = 409
    code = "secret_unreadable"


@lru_cache(maxsize=8)
def _fernet(key: str) -> Fernet:
    if not key:
        raise ConfigError("the instance key is empty: set KEFU_SECRET_KEY")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(plain: str, *, key: str) -> str:
    """The secret as an ASCII token safe to store in a text column."""
    return _fernet(key).encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str, *, key: str) -> str:
    try:
        return _fernet(key).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with this instance key: KEFU_SECRET_KEY "
            "(or the data directory's secret_key file) changed since it was saved; "
            "enter the mailbox's passwords and tokens again"
        ) from exc
