"""Offline AI benchmark: the intent classifier on the public sets in shared/data/ai (few-shot,
full, out of scope), kefu's own seeds, Chinese review polarity, and speed and memory.

python -m bench.ai_intent [--data ../shared/data/ai] [--seeds 3]
Writes the "## Offline AI" section of docs/benchmarks.md. Sentence embeddings are computed
once per data file and kept in $KEFU_BENCH_DIR/ai (the model is deterministic), so the
figures come from the same IntentClassifier that labels live tickets."""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from bench.ai_sentiment_model import english_accuracy, english_seed, polarity_accuracy
from bench.ai_vectors import CACHE, Vectors, default_data
from bench.harness import machine, write_section
from kefu.ai import taxonomy
from kefu.ai.evaluation import scores
from kefu.ai.intent import ENERGY, OUT_OF_SCOPE, PROBABILITY, IntentClassifier
from kefu.ai.labelled import draw_shots, read_labelled

HEADING = "## Offline AI"


def fit(vectors: Vectors, texts, intents) -> IntentClassifier:
    return IntentClassifier(embed=vectors.embed).fit(list(texts), list(intents))


def few_shot(vectors: Vectors, texts, intents, shots: int, seeds: int) -> list[float]:
    """Macro-F1 with `shots` examples per intent, on 1,000 other rows, per seed."""
    results = []
    for seed in range(seeds):
        chosen = draw_shots(intents, shots, seed)
        rest = np.setdiff1d(np.arange(len(texts)), chosen)
        test = np.random.default_rng(1000 + seed).choice(rest, min(1000, len(rest)), False)
        model = fit(vectors, [texts[i] for i in chosen], [intents[i] for i in chosen])
        predicted = [p.best for p in model.predict([texts[i] for i in test])]
        results.append(scores([intents[i] for i in test], predicted)["macro_f1"])
    return results


def held_out(vectors: Vectors, texts, intents, folds: int = 5, only: int | None = None):
    """Macro-F1 and accuracy by stratified k-fold (only the first `only` folds)."""
    result = []
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    for number, (train, test) in enumerate(splitter.split(texts, intents)):
        if only is not None and number >= only:
            break
        model = fit(vectors, [texts[i] for i in train], [intents[i] for i in train])
        predicted = [p.best for p in model.predict([texts[i] for i in test])]
        result.append(scores([intents[i] for i in test], predicted))
    return {k: float(np.mean([r[k] for r in result])) for k in ("macro_f1", "accuracy")}


def out_of_scope(vectors: Vectors, data: Path) -> dict:
    """CLINC150: train on 80 % of the in-scope train rows, calibrate the threshold on the
    validation file (in-scope accuracy 0.90), test on the other 20 % plus the train file's
    100 out-of-scope rows (never trained on); the energy score kefu calibrates beside the
    probability it replaced. Then a second check that the threshold generalises to data
    like CLINC's test part: calibrate on one random half of the validation file and test on
    the other half, its out-of-scope rows included (mean of HALVES draws)."""
    texts, intents = read_labelled(data / "clinc150_train.csv")
    val_texts, val_intents = read_labelled(data / "clinc150_val.csv")
    vectors.add("clinc150_train", texts)
    vectors.add("clinc150_val", val_texts)
    order = np.random.default_rng(0).permutation(len(texts))
    inside = [i for i in order if intents[i] != OUT_OF_SCOPE]
    cut = len(inside) // 5
    test = inside[:cut] + [i for i in order if intents[i] == OUT_OF_SCOPE]
    model = fit(vectors, [texts[i] for i in inside[cut:]], [intents[i] for i in inside[cut:]])
    result: dict = {}
    for score in (PROBABILITY, ENERGY):  # the one kefu uses last, so it is reported
        model.calibrate(val_texts, val_intents, score=score)
        predicted = [p.intent for p in model.predict([texts[i] for i in test])]
        result[score] = (
            scores([intents[i] for i in test], predicted)
            | {"threshold": model.threshold}
            | val_halves(model, val_texts, val_intents, score)
        )
    return result[ENERGY] | {"probability": result[PROBABILITY], "score": ENERGY}


HALVES = 10


def val_halves(model: IntentClassifier, texts, intents, score: str) -> dict[str, float]:
    found = []
    for seed in range(HALVES):
        order = np.random.default_rng(seed).permutation(len(texts))
        one, other = order[: len(order) // 2], order[len(order) // 2 :]
        model.calibrate([texts[i] for i in one], [intents[i] for i in one], score=score)
        predicted = [p.intent for p in model.predict([texts[i] for i in other])]
        found.append(scores([intents[i] for i in other], predicted))
    return {f"halves_{k}": float(np.mean([f[k] for f in found]))
            for k in ("oos_recall", "in_scope_accuracy")}  # fmt: skip


def seeds(vectors: Vectors) -> dict[str, dict[str, float]]:
    result = {}
    english, chinese = taxonomy.seed_examples("en"), taxonomy.seed_examples("zh")
    for name, pairs in (("en", english), ("zh", chinese), ("en+zh", english + chinese)):
        texts, intents = [t for t, _ in pairs], [i for _, i in pairs]
        vectors.add(f"seeds-{name}", texts)
        result[name] = held_out(vectors, texts, intents)
    model = fit(vectors, [t for t, _ in english], [i for _, i in english])
    predicted = [p.best for p in model.predict([t for t, _ in chinese])]
    result["en→zh"] = scores([i for _, i in chinese], predicted)
    return result


def speed() -> dict[str, float]:
    """The live path in a fresh process (`kefu ai eval`): load, train on the seeds, then
    classify 2,000 messages in batches and 20 one at a time; peak memory of that process."""
    pairs = taxonomy.seed_examples()
    texts, _ = read_labelled(default_data() / "banking77_train.csv")
    with tempfile.TemporaryDirectory() as folder:
        train, test = Path(folder) / "train.csv", Path(folder) / "test.csv"
        with train.open("w", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows([("text", "intent"), *pairs])
        with test.open("w", newline="", encoding="utf-8") as file:
            rows = [(t, "order_status") for t in texts[:2000]]
            csv.writer(file).writerows([("text", "intent"), *rows])
        command = [sys.executable, "-m", "kefu", "ai", "eval", "--train", str(train),
                   "--test", str(test), "--json"]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    return {k: figures[k] for k in ("messages_per_second", "single_message_ms",
                                    "load_seconds", "peak_rss_mb")} | {
        "load_average": round(os.getloadavg()[0], 1)}  # fmt: skip


def measure(data: Path, shot_seeds: int, redo: list[str] | None) -> dict:
    """Every step's figures; with `redo`, only those steps run again and the others come
    from the last run (kept in $KEFU_BENCH_DIR/ai/figures.json)."""
    vectors = Vectors()
    bitext = read_labelled(data / "bitext_train.csv")
    banking = read_labelled(data / "banking77_train.csv")
    vectors.add("bitext_train", bitext[0])
    vectors.add("banking77_train", banking[0])
    steps = {
        "bitext_10": lambda: few_shot(vectors, *bitext, 10, shot_seeds),
        "banking_10": lambda: few_shot(vectors, *banking, 10, shot_seeds),
        "seeds": lambda: seeds(vectors),
        "zh_polarity": lambda: polarity_accuracy(data / "zh_reviews_train.csv", vectors),
        "en_sentiment": lambda: english_accuracy(data / "zh_reviews_train.csv", vectors),
        "speed": speed,
        "banking_full": lambda: held_out(vectors, *banking, only=1),
        "clinc": lambda: out_of_scope(vectors, data),
    }
    kept = CACHE / "figures.json"
    figures: dict = json.loads(kept.read_text()) if redo and kept.exists() else {}
    for name, step in steps.items():
        if redo and name not in redo and name in figures:
            continue
        figures[name] = step()
        print(name, json.dumps(figures[name]), flush=True)  # a long run shows its way
        kept.write_text(json.dumps(figures))
    return figures


def verdict(value: float, target: float, higher: bool = True) -> str:
    if value != value:  # NaN: not measured
        return "not measured"
    met = value >= target if higher else value < target
    return "met" if met else f"missed by {abs(value - target):.3g}"


def section(figures: dict, shot_seeds: int) -> list[str]:
    b10, k10 = np.mean(figures["bitext_10"]), np.mean(figures["banking_10"])
    speed_ = figures["speed"]
    full = figures.get("banking_full", {"macro_f1": float("nan")})
    missing = {"oos_recall": float("nan"), "in_scope_accuracy": float("nan"), "threshold": 0}
    clinc = figures.get("clinc", missing)
    zh = figures["zh_polarity"]
    rows = [
        ("Bitext, 10 examples per intent: macro-F1", f"{b10:.3f}", "≥ 0.96", verdict(b10, 0.96)),
        ("BANKING77, full (first of 5 stratified folds): macro-F1", f"{full['macro_f1']:.3f}",
         "≥ 0.94", verdict(full["macro_f1"], 0.94)),
        ("BANKING77, 10 examples per intent: macro-F1", f"{k10:.3f}", "≥ 0.86",
         verdict(k10, 0.86)),
        ("CLINC150 out-of-scope recall", f"{clinc['oos_recall']:.3f}", "≥ 0.92",
         verdict(clinc["oos_recall"], 0.92)),
        ("CLINC150 in-scope accuracy at that threshold", f"{clinc['in_scope_accuracy']:.3f}",
         "≥ 0.90", verdict(clinc["in_scope_accuracy"], 0.90)),
        ("Chinese review polarity, 5-fold accuracy", f"{zh['accuracy']:.3f}", "≥ 0.86",
         verdict(zh["accuracy"], 0.86)),
        (f"English sentiment seed (kefu's own, {len(english_seed()[0])} rows), 5-fold accuracy",
         f"{figures['en_sentiment']['accuracy']:.3f}", "—", ""),
        ("messages per second, batches of 256", f"{speed_['messages_per_second']:,.0f}",
         "≥ 1,000", verdict(speed_["messages_per_second"], 1000)),
        ("one message, ms (median of 20)", f"{speed_['single_message_ms']:.1f}", "< 20",
         verdict(speed_["single_message_ms"], 20, higher=False)),
        ("model load, s", f"{speed_['load_seconds']:.2f}", "< 5",
         verdict(speed_["load_seconds"], 5, higher=False)),
        ("peak memory of the process, MB", f"{speed_['peak_rss_mb']:.0f}", "< 500",
         verdict(speed_["peak_rss_mb"], 500, higher=False)),
    ]  # fmt: skip
    lines = [
        HEADING,
        "",
        f"Written by `python -m bench.ai_intent` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{machine()}, load average {os.getloadavg()[0]:.1f} (the machine is shared: speed "
        "figures fall with the load). One code path: kefu.ai.intent.IntentClassifier (TF-IDF "
        "words 1–2 and characters 2–5 beside the USE multilingual embedding, one logistic "
        "regression, each intent's name one more example of it; out of scope under a threshold "
        "on the energy of its logits calibrated on labelled data), as `kefu ai eval` and live "
        "tickets use it. Few-shot figures are the mean "
        f"of {shot_seeds} draws, each tested on 1,000 other rows of the train file. Speed and "
        "memory are `kefu ai eval` in a fresh process trained on kefu's seeds, classifying "
        f"2,000 BANKING77 messages (at load {speed_.get('load_average', '?')}). See docs/ai.md "
        "for the method and the models.",
        "",
        "| measure | kefu | target | |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
        "Why the accuracy targets are missed: each intent's name as one more, weighted, "
        f"example took Bitext 10-shot from 0.940 to {b10:.3f} and BANKING77 10-shot from 0.810 "
        f"to {k10:.3f} (same draws), and left BANKING77 full where it was (0.922 before, one "
        "fold: with ≈ 100 examples per intent a name adds nothing); no other change we "
        "measured helped by more than the draws' spread (docs/ai.md lists them). What is left "
        "is set by models that read text better than the numpy-only multilingual encoder kefu "
        "can ship (fine-tuned BERT for "
        "BANKING77 full; MiniLM with torch, ≈ 0.85 on BANKING77 10-shot, is 750 MB, loads in "
        "9 s and runs at ≈ 250 messages/s; all-MiniLM-L6-v2 without torch, int8 on "
        "onnxruntime, beside USE: Bitext 10-shot 0.969, BANKING77 10-shot 0.841, full 0.920, "
        "CLINC150 out-of-scope recall 0.900, at 85 messages/s against 819 at load 3–5, 747 MB "
        "and 5.2 s of loading, so not "
        "adopted: docs/ai.md). Bitext's remaining errors are intents that differ "
        "by one word (get_invoice / check_invoice, set_up / change_shipping_address). Out of "
        "scope: the threshold calibrated on the validation file to keep in-scope accuracy at "
        "0.90 keeps more than 0.90 on the test part, so it is conservative by the gap between "
        "the two parts. Chinese polarity: character n-grams with naive-Bayes weights plus the "
        "embedding add 0.004 to the n-grams alone; jieba words 1–2 with the same weights gave "
        "0.838, no better than the characters (0.838), so no segmenter was added.",
        "",
        "kefu's own seed examples (kefu/ai/data), 5-fold cross-validation:",
        "",
        "| seeds | macro-F1 | accuracy |",
        "|---|---|---|",
    ]
    for name, result in figures["seeds"].items():
        label = "trained on English, tested on Chinese" if name == "en→zh" else name
        lines.append(f"| {label} | {result['macro_f1']:.3f} | {result['accuracy']:.3f} |")
    if "clinc" in figures:
        lines += ["", clinc_note(clinc)]
        if "measured" in clinc:  # carried over from an earlier run, and says which
            lines[-1] += f" The CLINC150 figures are {clinc['measured']}."
    else:
        lines += ["", "CLINC150 was not measured in this run (`--redo clinc`)."]
    if "speed_baseline" in figures:  # written by hand from a run of the code before a change
        base = figures["speed_baseline"]
        lines += [
            "",
            f"Speed of the classifier before this change ({base.get('before', 'the last')}), "
            f"measured beside it at load {base.get('load_average', '?')}: "
            f"{base['messages_per_second']:,.0f} messages/s, {base['single_message_ms']:.1f} ms "
            f"for one, load {base['load_seconds']:.2f} s, {base['peak_rss_mb']:.0f} MB.",
        ]
    if "measured" in full:
        lines += ["", f"The BANKING77 full figure is {full['measured']}."]
    if "banking_full" not in figures:
        lines += ["", "BANKING77 full was not measured in this run (`--redo banking_full`)."]
    return lines


def clinc_note(clinc: dict) -> str:
    score = clinc.get("score", PROBABILITY)
    note = f"CLINC150 out-of-scope score: {score}, threshold {clinc['threshold']:.3f}."
    before = clinc.get("probability")
    if before:
        note += (
            " The same model with the best intent's probability as the score (what kefu used "
            f"before): out-of-scope recall {before['oos_recall']:.3f} at in-scope accuracy "
            f"{before['in_scope_accuracy']:.3f} (threshold {before['threshold']:.3f})."
        )
    if "halves_oos_recall" in clinc and before:
        note += (
            " Calibrated on one random half of the validation file and tested on the other "
            f"half, its out-of-scope rows included (mean of {HALVES} draws; like CLINC's "
            f"held-back test part): {score} recall {clinc['halves_oos_recall']:.3f} at "
            f"in-scope accuracy {clinc['halves_in_scope_accuracy']:.3f}, probability "
            f"{before['halves_oos_recall']:.3f} at {before['halves_in_scope_accuracy']:.3f}."
        )
    return note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--seeds", type=int, default=3, help="few-shot draws")
    parser.add_argument("--redo", action="append", help="run only this step again (repeatable)")
    args = parser.parse_args()
    figures = measure(args.data, args.seeds, args.redo)
    lines = section(figures, args.seeds)
    write_section(HEADING, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
