"""kefu/kit/gc_batch.py: collection tuned during a batch, everything restored after it."""

import gc

import pytest
from pydantic import BaseModel, EmailStr, ValidationError

from kefu.ingest.schemas import KnownEmailStr, Sender
from kefu.kit.gc_batch import BATCH_GEN0_THRESHOLD, batch_gc


def test_batch_raises_the_threshold_and_freezes_then_restores() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with batch_gc():
        assert gc.get_threshold()[0] == max(BATCH_GEN0_THRESHOLD, before[0])
        assert gc.get_freeze_count() > frozen
        with batch_gc():  # nested: still tuned
            assert gc.get_threshold()[0] == max(BATCH_GEN0_THRESHOLD, before[0])
        assert gc.get_threshold()[0] == max(BATCH_GEN0_THRESHOLD, before[0])
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_restored_when_the_batch_fails() -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with pytest.raises(RuntimeError), batch_gc():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


class _Plain(BaseModel):
    email: EmailStr


class _Known(BaseModel):
    email: KnownEmailStr


@pytest.mark.parametrize(
    "address",
    ["Someone@Example.COM", "张三@例子.中国", "a.b+c@sub.example.org", "bad@@x", "no-at", ""],
)
def test_known_email_is_email_str(address: str) -> None:
    try:
        expected = _Plain(email=address).email
    except ValidationError:
        for _ in range(2):  # an invalid address stays invalid (failures are not remembered)
            with pytest.raises(ValidationError):
                _Known(email=address)
        return
    assert _Known(email=address).email == expected
    assert _Known(email=address).email == expected  # from the cache
    assert Sender(email=address).email == expected


def test_known_email_json_schema() -> None:
    assert _Known.model_json_schema() == {
        **_Plain.model_json_schema(),
        "title": "_Known",
    }
