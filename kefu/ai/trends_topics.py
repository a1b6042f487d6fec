"""Topics from sentence vectors, named by their key terms, and their week-on-week change —
pure functions (numpy and scikit-learn), no database: kefu.ai.trends feeds and stores them.

- **Clusters:** average-linkage agglomerative clustering on cosine distance with a distance
  threshold (no number of topics to guess); above `DIRECT_LIMIT` messages a random sample
  of that many is clustered and every message joins its nearest sample topic when close
  enough, the rest clustered again (see `_groups`): time and memory stay linear (k-means
  micro-clusters first took 180 s for 20,000 messages on a busy machine). Groups under
  `min_size` tickets (and under 0.1 % of the messages) are left unclustered. The
  multilingual embedding puts "arrived broken" and "收到的时候坏了" close together, so one
  topic holds both languages.
- **Names:** class-based TF-IDF: a term's share of the topic's messages times log(1 + the
  average topic size / the messages holding it anywhere). Terms are English words and
  adjacent word pairs (stop words left out) and Chinese character 2–4-grams (no segmenter is
  needed; an n-gram inside a chosen longer one is skipped).
- **Change:** new, rising, falling or steady, from this period's and the previous period's
  counts; a ratio counts only from `MIN_COUNT` tickets, so 1 → 2 is not "doubling"."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DIRECT_LIMIT = 1500
DISTANCE = 0.6  # cosine distance between topics' average members (similarity ≥ 0.4)
MIN_SIZE = 4
MIN_COUNT = 5
RISING = 1.5  # ×1.5 or more is rising, ÷1.5 or less is falling
TERMS = 3  # per language
MIN_SHARE = 0.12  # a key term is in at least this share of the topic's messages

_WORD = re.compile(r"[a-z][a-z'’]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# function words split a run of Chinese characters before n-grams are taken (a poor man's
# segmenter: 收到的时候已经碎了 → 收到 / 碎)
_HAN_STOP = re.compile(
    "的时候|已经|什么|时候|没有|还没|可以|一直|现在|请问|谢谢|麻烦|你好|您好|怎么|为什么|一下|帮我"
    "|我们|你们|这个|那个|以后|[的了在还就都也很吗呢吧着过我你您是和与把被给对这那有个请]"
)
_HAN_EDGE = set("的了吗呢吧啊呀是在我你您他她它们请和与也都就还又很把被给对这那有个")
_EXTRA_STOP = {
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "regards",
    "dear",
    "pls",
    "please",
    "just",
    "i'm",
    "i've",
    "it's",
    "don't",
    "didn't",
    "can't",
    "won't",
    "got",
    "get",
    "would",
    "like",
    "know",
    "let",
    "need",
    "want",
    "im",
    "ive",
    "dont",
}


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _EXTRA_STOP


def terms_of(text: str, stop: frozenset[str]) -> set[str]:
    """The text's candidate key terms: English words and adjacent pairs, Chinese 2–4-grams."""
    lowered = text.lower()
    found: set[str] = set()
    words = [w.replace("’", "'") for w in _WORD.findall(lowered)]
    kept = [w if w not in stop and len(w) > 2 else None for w in words]
    for i, word in enumerate(kept):
        if word is None:
            continue
        found.add(word)
        if i + 1 < len(kept) and kept[i + 1] is not None:
            found.add(f"{word} {kept[i + 1]}")
    for run in (piece for whole in _HAN.findall(text) for piece in _HAN_STOP.split(whole)):
        for size in (2, 3, 4):
            for i in range(len(run) - size + 1):
                gram = run[i : i + size]
                if gram[0] not in _HAN_EDGE and gram[-1] not in _HAN_EDGE:
                    found.add(gram)
    return found


def _overlaps(term: str, other: str) -> bool:
    """One term inside the other, or (Chinese n-grams, no spaces) one running into the
    other: 运输 and 输途中损 are pieces of one phrase, not two key terms."""
    if term in other or other in term:
        return True
    if " " in term or " " in other or not (_HAN.fullmatch(term) and _HAN.fullmatch(other)):
        return False
    return any(term.endswith(other[:n]) or other.endswith(term[:n]) for n in (1, 2, 3))


def _agglomerate(vectors: np.ndarray, distance: float) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=np.int64)
    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average"
    )
    return model.fit_predict(vectors).astype(np.int64)


def cluster(
    vectors: np.ndarray, *, distance: float = DISTANCE, min_size: int = MIN_SIZE
) -> np.ndarray:
    """A topic number per vector (0 the largest topic, 1 the next …; -1 for none)."""
    count = len(vectors)
    if count < max(min_size, 2):
        return np.full(count, -1, dtype=np.int64)
    min_size = max(min_size, count // 1000)
    groups = _groups(vectors, distance, min_size, rounds=3)
    sizes = Counter(g for g in groups.tolist() if g >= 0)
    ranked = [g for g, n in sorted(sizes.items(), key=lambda s: (-s[1], s[0])) if n >= min_size]
    number = {group: position for position, group in enumerate(ranked)}
    return np.array([number.get(g, -1) for g in groups.tolist()], dtype=np.int64)


def _groups(vectors: np.ndarray, distance: float, min_size: int, rounds: int) -> np.ndarray:
    """Group numbers (-1 none). Up to DIRECT_LIMIT vectors are clustered directly; above, a
    random sample of DIRECT_LIMIT is, every vector joins its nearest sample topic when it is
    as close to that topic's centre as the sample's own members are (their 5th percentile),
    and what joined none is clustered the same way again (a topic too small to show in the
    sample, say a new one, is found among the rest), at most `rounds` times."""
    count = len(vectors)
    if count <= DIRECT_LIMIT:
        return _agglomerate(vectors, distance)
    picked = np.random.default_rng(0).choice(count, DIRECT_LIMIT, replace=False)
    sample_groups = _agglomerate(vectors[picked], distance)
    groups = np.full(count, -1, dtype=np.int64)
    kept = [g for g, n in Counter(sample_groups.tolist()).items() if n >= min_size]
    if kept:
        centres = np.vstack([vectors[picked[sample_groups == g]].mean(axis=0) for g in kept])
        centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
        floors = np.array([
            np.percentile(vectors[picked[sample_groups == g]] @ centres[i], 5)
            for i, g in enumerate(kept)
        ])  # fmt: skip
        similarity = vectors @ centres.T
        nearest = similarity.argmax(axis=1)
        close = similarity[np.arange(count), nearest] >= floors[nearest]
        groups[close] = nearest[close]
    rest = np.flatnonzero(groups == -1)
    if rounds > 1 and len(rest) >= min_size:
        inner = _groups(vectors[rest], distance, min_size, rounds - 1)
        groups[rest[inner >= 0]] = inner[inner >= 0] + len(kept)
    return groups


def name_topics(texts: Sequence[str], labels: np.ndarray, *, top: int = TERMS) -> list[list[str]]:
    """The key terms of each topic 0..max(labels), most distinctive first: up to `top`
    English and `top` Chinese ones."""
    topics = int(labels.max()) + 1 if len(labels) else 0
    if topics <= 0:
        return []
    stop = _stop_words()
    per_topic: list[Counter[str]] = [Counter() for _ in range(topics)]
    anywhere: Counter[str] = Counter()
    sizes = Counter(labels.tolist())
    for text, label in zip(texts, labels.tolist(), strict=True):
        terms = terms_of(text, stop)
        anywhere.update(terms)
        if label >= 0:
            per_topic[label].update(terms)
    average = sum(sizes[t] for t in range(topics)) / topics
    names = []
    for topic, counts in enumerate(per_topic):
        size = sizes[topic]
        scored = sorted(
            ((count / size) * math.log(1 + average / anywhere[term]), len(term), term)
            for term, count in counts.items()
            if count >= 2 and count / size >= MIN_SHARE
        )
        chosen: list[tuple[float, str]] = []
        for script in ("latin", "han"):  # a mixed topic is named in both languages
            picked: list[str] = []
            for score, _length, term in reversed(scored):
                if (script == "han") != bool(_HAN.match(term)):
                    continue
                if any(_overlaps(term, other) for other in picked):
                    continue
                picked.append(term)
                chosen.append((score, term))
                if len(picked) == top:
                    break
        chosen.sort(key=lambda c: -c[0])
        names.append([term for _score, term in chosen])
    return names


@dataclass(frozen=True, slots=True)
class Change:
    change: str  # new | rising | falling | steady
    ratio: float | None  # current ÷ previous, when both reach MIN_COUNT… or previous > 0


def change_of(current: int, previous: int, *, min_count: int = MIN_COUNT) -> Change:
    """The topic's week-on-week change. Under `min_count` tickets in both periods it is
    steady whatever the ratio (1 → 2 is noise, not doubling)."""
    ratio = round(current / previous, 2) if previous else None
    if max(current, previous) < min_count:
        return Change("steady", ratio)
    if previous == 0:
        return Change("new", None)
    if current >= min_count and current >= previous * RISING:
        return Change("rising", ratio)
    if previous >= min_count and current * RISING <= previous:
        return Change("falling", ratio)
    return Change("steady", ratio)
