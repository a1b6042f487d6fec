"""The inbox benchmark's customers: English and Chinese names, emails, phones, store ids."""

import random
from collections.abc import Iterator

from bench.inbox_words import (
    DAY,
    EN_FIRST,
    EN_LAST,
    EN_MAIL,
    EN_ZONES,
    PINYIN_LAST,
    ZH_GIVEN,
    ZH_LAST,
    ZH_MAIL,
    ZH_ZONES,
)

CHUNK = 20_000
US_AREAS = ["212", "213", "312", "415", "512", "617", "646", "702", "713", "917"]


class Customers:
    """One customer per entry of `first_seen`; keeps what the tickets need to know about each
    (language, the name to greet them by, VIP, email) in compact lists."""

    def __init__(self, rng: random.Random, first_seen: list[int], counts: list[int]) -> None:
        self.rng = rng
        self.first_seen = first_seen
        self.counts = counts
        total = len(first_seen)
        self.is_zh = bytearray(total)
        self.is_vip = bytearray(total)
        self.greeting: list[str] = [""] * total
        self.full_name: list[str] = [""] * total
        self.email: list[str | None] = [None] * total
        self.identities = 0

    def batches(self) -> Iterator[dict[str, list[tuple[object, ...]]]]:
        for start in range(0, len(self.first_seen), CHUNK):
            customers: list[tuple[object, ...]] = []
            identities: list[tuple[object, ...]] = []
            for index in range(start, min(start + CHUNK, len(self.first_seen))):
                self._one(index, customers, identities)
            yield {"customers": customers, "customer_identities": identities}

    def _one(
        self, index: int, customers: list[tuple[object, ...]], identities: list[tuple[object, ...]]
    ) -> None:
        rng, cid = self.rng, index + 1
        zh = rng.random() < 0.45
        # Regulars are more often VIPs; one-off buyers rarely are.
        vip = rng.random() < (0.15 if self.counts[index] >= 5 else 0.01)
        if zh and rng.random() < 0.85:
            last, last_py = rng.choice(ZH_LAST)
            given, given_py = rng.choice(ZH_GIVEN)
            name = greeting = f"{last}{given}"
            local = rng.choice((f"{last_py}{given_py}{cid}", f"{given_py}.{last_py}{cid}"))
            if rng.random() < 0.3:
                local = str(100_000 + cid * 13)  # a QQ number
        else:
            first = rng.choice(EN_FIRST)
            last = rng.choice(PINYIN_LAST if zh or rng.random() < 0.08 else EN_LAST)
            name, greeting = f"{first} {last}", first
            f, s = first.lower(), last.lower()
            local = rng.choice(
                (f"{f}.{s}{cid}", f"{f}{s[0]}{cid}", f"{f[0]}{s}{cid}", f"{f}_{cid}")
            )
        created = self.first_seen[index] - rng.randint(0, 90 * DAY)
        self.is_zh[index], self.is_vip[index] = zh, vip
        self.greeting[index], self.full_name[index] = greeting, name
        customers.append(
            (cid, name, "zh_Hans" if zh else "en", rng.choice(ZH_ZONES if zh else EN_ZONES),
             '["vip"]' if vip else "[]", "", vip, None, created, created)
        )  # fmt: skip
        kinds = []
        if rng.random() < 0.95:
            email = f"{local}@{rng.choice(ZH_MAIL if zh else EN_MAIL)}"
            self.email[index] = email
            kinds.append(("email", email))
        if rng.random() < 0.35:
            phone = (
                f"+861{rng.randint(3, 9)}{cid:09d}" if zh else f"+1{rng.choice(US_AREAS)}{cid:07d}"
            )
            kinds.append(("phone", phone))
        if rng.random() < 0.2 or not kinds:
            kinds.append(("chat", f"v{cid:07d}{rng.getrandbits(24):06x}"))
        if rng.random() < 0.6:
            kinds.append(("store", f"{rng.randint(1, 3)}:{cid + 10_000}"))
        for n, (kind, value) in enumerate(kinds):
            self.identities += 1
            identities.append((self.identities, cid, kind, value, n == 0, "{}", created))
