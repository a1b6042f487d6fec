"""kefu's seed examples measured alone: 5-fold stratified cross-validation of the unchanged
IntentClassifier on the English seeds, the Chinese seeds, both, and trained on English /
tested on Chinese; the seeds of another git revision beside them, and the intent pairs most
often confused.

python -m bench.ai_seeds [--before REV] [--json]
Prints a markdown table (docs/ai.md, "The default taxonomy and its seeds"). With --before,
the seeds of that revision are measured too, and the model trained on all of them is also
tested on the rows added since (examples it never saw, written separately)."""

import argparse
import csv
import io
import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from bench.ai_vectors import Vectors
from kefu.ai import taxonomy
from kefu.ai.evaluation import scores
from kefu.ai.intent import IntentClassifier
from kefu.ai.service import DEFAULT_THRESHOLD

ROOT = Path(__file__).resolve().parent.parent
Pairs = list[tuple[str, str]]
# chit-chat and unrelated requests (no intent of the taxonomy): live tickets answer "other"
# for them when the best intent's confidence is under the seed model's threshold
CHIT_CHAT = [
    "hello", "how are you today?", "what's the weather like tomorrow", "tell me a joke",
    "who won the football last night", "can you recommend a good film", "I'm bored",
    "what is the capital of France", "do you like music?", "write me a poem about cats",
    "happy new year!", "what time is it in Tokyo", "can you help with my homework",
    "my cat is sleeping on my keyboard lol", "are you a boy or a girl", "good night",
    "how do I cook rice", "what's 15 times 7", "is it going to rain this weekend",
    "I like turtles",
    "你好", "今天天气怎么样", "讲个笑话", "你吃饭了吗", "帮我写作业", "一加一等于几",
    "哈哈哈哈", "晚安", "你是男的还是女的", "推荐一部好看的电影", "无聊", "中国的首都是哪里",
    "明天会下雨吗", "新年快乐", "红烧肉怎么做", "你喜欢听歌吗", "我家猫今天好可爱",
    "现在几点了", "给我唱首歌", "周末去哪玩好",
]  # fmt: skip


def seeds_at(revision: str | None, language: str) -> Pairs:
    if revision is None:
        return taxonomy.seed_examples(language)
    path = f"kefu/ai/data/{taxonomy.SEED_FILES[language]}"
    text = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    return [(row["text"], row["intent"]) for row in csv.DictReader(io.StringIO(text))]


def fit(vectors: Vectors, pairs: Pairs) -> IntentClassifier:
    return IntentClassifier(embed=vectors.embed).fit([t for t, _ in pairs], [i for _, i in pairs])


def test(vectors: Vectors, model: IntentClassifier, pairs: Pairs, confused: Counter) -> dict:
    predictions = model.predict([t for t, _ in pairs])
    predicted = [p.best for p in predictions]
    truth = [i for _, i in pairs]
    confused.update((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    kept = [
        t == p.best and p.confidence >= DEFAULT_THRESHOLD
        for t, p in zip(truth, predictions, strict=True)
    ]
    return scores(truth, predicted) | {"accuracy_at_threshold": float(np.mean(kept))}


def cross_validate(vectors: Vectors, pairs: Pairs, confused: Counter) -> dict[str, float]:
    intents = [i for _, i in pairs]
    result = []
    for train, held in StratifiedKFold(5, shuffle=True, random_state=0).split(pairs, intents):
        model = fit(vectors, [pairs[i] for i in train])
        result.append(test(vectors, model, [pairs[i] for i in held], confused))
    keys = ("macro_f1", "accuracy", "accuracy_at_threshold")
    return {k: float(np.mean([r[k] for r in result])) for k in keys}


def measure(vectors: Vectors, english: Pairs, chinese: Pairs) -> dict:
    confused: Counter = Counter()
    result: dict = {}
    for name, pairs in (("en", english), ("zh", chinese), ("en+zh", english + chinese)):
        vectors.add(f"seeds-{name}", [t for t, _ in pairs])
        result[name] = cross_validate(vectors, pairs, confused if name != "en+zh" else Counter())
    result["en→zh"] = test(vectors, fit(vectors, english), chinese, Counter())
    vectors.add("chit-chat", CHIT_CHAT)
    chat = fit(vectors, english + chinese).predict(CHIT_CHAT)
    result["chit_chat_other"] = float(np.mean([p.confidence < DEFAULT_THRESHOLD for p in chat]))
    pairs = Counter()
    for (truth, predicted), count in confused.items():
        pairs[tuple(sorted((truth, predicted)))] += count
    result["confused"] = [[a, b, n] for (a, b), n in pairs.most_common(15)]
    result["rows"] = {"en": len(english), "zh": len(chinese)}
    return result


def unseen(vectors: Vectors, before: dict[str, Pairs], after: dict[str, Pairs]) -> dict:
    """The model trained on the old seeds (both languages), tested on the rows added since."""
    model = fit(vectors, before["en"] + before["zh"])
    result = {}
    for language in ("en", "zh"):
        old = {t for t, _ in before[language]}
        added = [(t, i) for t, i in after[language] if t not in old]
        vectors.add(f"seeds-added-{language}", [t for t, _ in added])
        result[language] = test(vectors, model, added, Counter()) | {"rows": len(added)}
    return result


def table(results: dict[str, dict]) -> str:
    names = list(results)
    lines = ["| seeds | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, label in (("en", "en"), ("zh", "zh"), ("en+zh", "en+zh"),
                       ("en→zh", "trained on en, tested on zh")):  # fmt: skip
        cells = [f"{r[key]['macro_f1']:.3f} / {r[key]['accuracy']:.3f}" for r in results.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = [f"{r['en+zh']['accuracy_at_threshold']:.3f}" for r in results.values()]
    lines.append(
        f"| en+zh, right and confident (≥ {DEFAULT_THRESHOLD}) | " + " | ".join(cells) + " |"
    )
    cells = [f"{r['chit_chat_other']:.2f}" for r in results.values()]
    lines.append(
        f"| chit-chat answered other ({len(CHIT_CHAT)} messages) | " + " | ".join(cells) + " |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", help="git revision whose seeds to measure beside these")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    vectors = Vectors()
    after = {lang: seeds_at(None, lang) for lang in taxonomy.SEED_FILES}
    results = {}
    if options.before:
        before = {lang: seeds_at(options.before, lang) for lang in taxonomy.SEED_FILES}
        results["before"] = measure(vectors, before["en"], before["zh"])
    results["now"] = measure(vectors, after["en"], after["zh"])
    if options.before:
        results["now"]["old model on the added rows"] = unseen(vectors, before, after)
    if options.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print(table(results))
        for name, result in results.items():
            pairs = ", ".join(f"{a} / {b} {n}" for a, b, n in result["confused"][:8])
            print(f"\nmost confused ({name}, en and zh folds): {pairs}")
        for language, result in results["now"].get("old model on the added rows", {}).items():
            figures = f"macro-F1 {result['macro_f1']:.3f}, accuracy {result['accuracy']:.3f}"
            print(f"old seeds' model on the {result['rows']} added {language} rows: {figures}")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
