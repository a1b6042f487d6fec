"""Labelled text from CSV files (columns text and a label) and drawing few-shot samples."""

import csv
import io
from pathlib import Path

import numpy as np

from kefu.errors import InvalidInput

ENCODINGS = ("utf-8-sig", "gb18030")  # Excel in China saves CSV as GB18030


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(f"{path}: unknown text encoding; save it as UTF-8")


def read_labelled(path: Path, *, label: str = "intent") -> tuple[list[str], list[str]]:
    """(texts, labels) of a CSV with columns `text` and `label`; blank rows are skipped,
    a missing column, an empty file or a row without its label is refused."""
    reader = csv.DictReader(io.StringIO(read_text(path)))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if not columns:
        raise InvalidInput(f"{path}: the file is empty")
    missing = [c for c in ("text", label) if c not in columns]
    if missing:
        raise InvalidInput(
            f"{path}: missing column {', '.join(missing)} (found: {', '.join(columns)})"
        )
    reader.fieldnames = columns
    texts: list[str] = []
    labels: list[str] = []
    for line, row in enumerate(reader, start=2):
        text, value = (row.get("text") or "").strip(), (row.get(label) or "").strip()
        if not text and not value:
            continue
        if not text or not value:
            raise InvalidInput(f"{path}, line {line}: needs both text and {label}")
        texts.append(text)
        labels.append(value)
    if not texts:
        raise InvalidInput(f"{path}: no labelled rows")
    return texts, labels


def draw_shots(labels: list[str], shots: int, seed: int) -> list[int]:
    """Indexes of `shots` examples per label (all of a label that has fewer), drawn with
    `seed`; `oos` rows are out-of-scope examples, not a label, and are never drawn."""
    rng = np.random.default_rng(seed)
    array = np.array(labels)
    chosen: list[int] = []
    for label in sorted(set(labels) - {"oos"}):
        where = np.flatnonzero(array == label)
        chosen += rng.choice(where, size=min(shots, len(where)), replace=False).tolist()
    return sorted(chosen)
