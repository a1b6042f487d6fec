"""The labelled reply corpora (public and ours), shared by the tests and bench/email_replies.py."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "replies"
SECTION = re.compile(r"^--- (text|new|html)\s*$")


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    corpus: str  # "public", "own", "heldout", "heldout2" or "heldout3"
    client: str
    language: str
    text: str
    expected: str  # the new part a support agent should see
    html: str | None = None


def normalise(text: str) -> str:
    """Compare texts whitespace-normalised: line breaks and runs of spaces do not count."""
    return " ".join(text.split())


def load_public() -> list[Sample]:
    folder = CORPUS / "public"
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return [
        Sample(
            name=name,
            corpus="public",
            client=label["client"],
            language="en",
            text=(folder / f"{name}.txt").read_text(encoding="utf-8"),
            expected=label["new"],
        )
        for name, label in labels.items()
    ]


def load_own() -> list[Sample]:
    return _load("own")


def load_heldout() -> list[Sample]:
    """Written blind by a second author, before reading the parser, and never tuned on first."""
    return _load("heldout")


def load_heldout2() -> list[Sample]:
    """A second blind set, written after the fixes without looking at any failure."""
    return _load("heldout2")


def load_heldout3() -> list[Sample]:
    """A third blind set, written after the closing lexicon, committed before its one run."""
    return _load("heldout3")


def _load(corpus: str) -> list[Sample]:
    samples: list[Sample] = []
    for path in sorted((CORPUS / corpus).glob("*.txt")):
        samples += _parse(path.read_text(encoding="utf-8"), client=path.stem, corpus=corpus)
    return samples


def _parse(source: str, *, client: str, corpus: str) -> list[Sample]:
    """ "### name lang [html]" then "--- text", "--- new" and optionally "--- html" sections."""
    samples = []
    for block in re.split(r"^### ", source, flags=re.MULTILINE)[1:]:
        head, _, body = block.partition("\n")
        name, language, *_ = head.split()
        sections: dict[str, list[str]] = {}
        current: list[str] | None = None
        for line in body.split("\n"):
            match = SECTION.match(line)
            if match:
                current = sections.setdefault(match.group(1), [])
            elif current is not None:
                current.append(line)
        html = "\n".join(sections["html"]).strip() if "html" in sections else None
        samples.append(
            Sample(
                name=name,
                corpus=corpus,
                client=client,
                language=language,
                text="\n".join(sections["text"]).strip("\n") + "\n",
                expected="\n".join(sections.get("new", [])).strip(),
                html=html,
            )
        )
    return samples
