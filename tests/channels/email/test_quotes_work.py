"""split_reply does each check once per line and runs the attribution patterns only on lines
that could be an "On … wrote:" header; same results (the corpora tests hold them)."""

from __future__ import annotations

import re

import pytest

from kefu.channels.email import quotes
from kefu.channels.email.quotes import WROTE, split_reply
from tests.channels.email.quotes_corpus import (
    load_heldout,
    load_heldout2,
    load_heldout3,
    load_own,
    load_public,
)

BODY = "\n".join(
    [
        "Hi, order 20261102 was charged twice on 2026-11-02 at 10:30.",
        "My address is ann@example.com, phone +1 416 555 0100.",
        "Please refund one of them: $59.90.",
        "",
        "Thanks,",
        "Ann",
    ]
)


def test_each_line_is_checked_for_an_attribution_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = quotes._attribution_window

    def counted(cleaned: list[str], index: int, *, nested: bool = False) -> int:
        if not nested:
            calls.append(index)
        return real(cleaned, index, nested=nested)

    monkeypatch.setattr(quotes, "_attribution_window", counted)
    parts = split_reply(BODY)
    assert parts.new.startswith("Hi, order") and parts.signature == "Thanks,\nAnn"
    assert sorted(calls) == sorted(set(calls))  # no line twice (was: once per pass)


class _Counted:
    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern, self.calls = pattern, 0

    def match(self, text: str) -> re.Match[str] | None:
        self.calls += 1
        return self.pattern.match(text)


def test_attribution_patterns_run_only_on_lines_ending_in_a_wrote_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counted = {
        name: _Counted(getattr(quotes, name)) for name in ("ATTRIBUTION_ON", "ATTRIBUTION_ANY")
    }
    for name, wrapper in counted.items():
        monkeypatch.setattr(quotes, name, wrapper)
    assert split_reply(BODY).new.startswith("Hi, order")  # dates, digits, an address: no header
    assert sum(c.calls for c in counted.values()) == 0
    reply = "Yes, that one.\n\nOn Mon, 2 Nov 2026 at 10:30, Shop <s@shop.com> wrote:\n> Which?\n"
    parts = split_reply(reply)
    assert parts.new == "Yes, that one." and parts.quoted.endswith("> Which?")
    assert counted["ATTRIBUTION_ON"].calls >= 1


@pytest.mark.parametrize(
    "line",
    [
        "On Mon, 2 Nov 2026, Ann <a@x.com> wrote:",
        "On Mon, 2 Nov 2026, Ann <a@x.com> WROTE :  ",
        "On Mon, Ann wrote::",
        "Ann wrote: and then",
        "在 2026年11月2日 10:30，张三 写道：",
        "张三 于 2026年11月2日 写道 ：\u3000",
        "Le lun. 2 nov. 2026, Ann a écrit :",
        "Am 02.11.2026 schrieb Ann",
        "2 нояб. 2026 г., Анна написал(а):",
        "nothing written here",
        "rewrote",
        "",
        "wrote:\t\u2003",
        "x" * 50 + " kirjoitti:",
    ],
)
def test_the_wrote_check_is_the_patterns_own_ending(line: str) -> None:
    ending = re.compile(WROTE + r"\s*[:：]?\s*$", re.IGNORECASE)
    assert quotes._ends_with_wrote(line) == bool(ending.search(line))


def test_the_wrote_check_agrees_with_the_patterns_on_every_corpus_line() -> None:
    ending = re.compile(WROTE + r"\s*[:：]?\s*$", re.IGNORECASE)
    samples = [*load_public(), *load_own(), *load_heldout(), *load_heldout2(), *load_heldout3()]
    lines = {line.strip() for sample in samples for line in sample.text.splitlines()}
    assert len(lines) > 1000
    for line in lines:
        assert quotes._ends_with_wrote(line) == bool(ending.search(line)), line
