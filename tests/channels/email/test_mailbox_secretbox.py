"""Secrets at rest: Fernet with a key derived from the instance key."""

import pytest

from kefu.errors import ConfigError, KefuError
from kefu.kit import secretbox


def test_a_secret_comes_back_as_it_went_in() -> None:
    token = secretbox.encrypt("pässwörd 密码", key="instance-key-1")
    assert "pässwörd" not in token and token.isascii()
    assert secretbox.decrypt(token, key="instance-key-1") == "pässwörd 密码"


def test_the_same_secret_encrypts_differently_each_time() -> None:
    first = secretbox.encrypt("hunter2", key="k")
    second = secretbox.encrypt("hunter2", key="k")
    assert first != second
    assert secretbox.decrypt(first, key="k") == secretbox.decrypt(second, key="k") == "hunter2"


def test_another_instance_key_cannot_read_it_and_says_why() -> None:
    token = secretbox.encrypt("hunter2", key="old key")
    with pytest.raises(secretbox.SecretUnreadable) as refused:
        secretbox.decrypt(token, key="new key")
    assert isinstance(refused.value, ConfigError) and isinstance(refused.value, KefuError)
    assert refused.value.status == 409
    assert "instance key" in refused.value.message and "KEFU_SECRET_KEY" in refused.value.message


def test_a_damaged_token_is_unreadable_not_a_crash() -> None:
    with pytest.raises(secretbox.SecretUnreadable):
        secretbox.decrypt("not-a-token", key="k")
    with pytest.raises(secretbox.SecretUnreadable):
        secretbox.decrypt("ünicode", key="k")


def test_an_empty_instance_key_is_refused() -> None:
    with pytest.raises(ConfigError):
        secretbox.encrypt("x", key="")
