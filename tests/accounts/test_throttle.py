"""Sign-in throttling: five failures a minute per email and per address, shared via Redis."""

import uuid

import pytest

from kefu.accounts.throttle import SignInThrottle
from kefu.errors import Throttled


def test_sixth_try_is_refused_with_a_wait() -> None:
    throttle = SignInThrottle(redis_url=None, attempts_per_minute=5)
    for _ in range(5):
        throttle.check(email="a@example.com", ip="10.0.0.1")
        throttle.failed(email="a@example.com", ip="10.0.0.1")
    with pytest.raises(Throttled) as refused:
        throttle.check(email="A@example.com ", ip="10.0.0.2")
    assert 1 <= refused.value.retry_after_seconds <= 61
    throttle.check(email="b@example.com", ip="10.0.0.3")  # others are not affected


def test_one_address_trying_many_emails_is_refused() -> None:
    throttle = SignInThrottle(redis_url=None, attempts_per_minute=5)
    for n in range(5):
        throttle.failed(email=f"user{n}@example.com", ip="10.0.0.9")
    with pytest.raises(Throttled):
        throttle.check(email="new@example.com", ip="10.0.0.9")


@pytest.mark.redis
def test_processes_share_the_count_through_redis(redis_url: str) -> None:
    # two throttles stand for two kefu processes behind one load balancer
    first = SignInThrottle(redis_url=redis_url, attempts_per_minute=5)
    second = SignInThrottle(redis_url=redis_url, attempts_per_minute=5)
    email = f"{uuid.uuid4().hex}@example.com"
    for n in range(5):
        (first if n % 2 else second).failed(email=email, ip=f"10.1.0.{n}")
    with pytest.raises(Throttled):
        first.check(email=email, ip="10.1.1.1")
    with pytest.raises(Throttled):
        second.check(email=email, ip="10.1.1.2")
