"""Sentence embeddings for the offline-AI benchmarks: computed once per data file, kept in
$KEFU_BENCH_DIR/ai (the model is deterministic), looked up by text."""

import hashlib
import os
from pathlib import Path

import numpy as np
from rich.progress import Progress

from kefu.ai import embedding

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("KEFU_BENCH_DIR", ROOT / ".bench")) / "ai"


def default_data() -> Path:
    for candidate in (ROOT.parent / "shared" / "data" / "ai", Path("/work/shared/data/ai")):
        if candidate.exists():
            return candidate
    return ROOT.parent / "shared" / "data" / "ai"


class Vectors:
    """Embeddings of every text seen, looked up by text (computed once, cached on disk)."""

    def __init__(self) -> None:
        self.by_text: dict[str, np.ndarray] = {}

    def add(self, name: str, texts: list[str]) -> np.ndarray:
        digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
        path = CACHE / f"{name}-{digest}.npy"
        if path.exists():
            vectors = np.load(path)
        else:
            with Progress(transient=True) as progress:
                task = progress.add_task(f"embedding {name}", total=len(texts))
                parts = []
                for start in range(0, len(texts), 256):
                    parts.append(embedding.embed(texts[start : start + 256]))
                    progress.advance(task, len(parts[-1]))
            vectors = np.vstack(parts)
            CACHE.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
        self.by_text.update(zip(texts, vectors, strict=True))
        return vectors

    def embed(self, texts) -> np.ndarray:
        """Vectors of `texts`; a text of no data file (an intent's name) is embedded now."""
        missing = list(dict.fromkeys(t for t in texts if t not in self.by_text))
        if missing:
            self.by_text.update(zip(missing, embedding.embed(missing), strict=True))
        return np.vstack([self.by_text[t] for t in texts])
