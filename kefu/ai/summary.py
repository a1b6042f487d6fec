"""Extractive summaries of a conversation: what the customer wants, what was done, what is
pending — sentences taken from the thread itself (nothing generated), in its own language.

- wants: the customer's sentences that ask for something, the ones sharing most words with
  the rest of what the customer wrote first (what they keep coming back to);
- done: the agents' (or the assistant's) sentences that report an action;
- pending: the customer's last request when nobody answered it yet, and what an agent
  promised in their last reply."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from kefu.kit.i18n import N_, gettext
from kefu.kit.search_text import index_tokens

MAX_SENTENCE = 220
LONG_THREAD_MESSAGES = 6
_SPLIT = re.compile(r"(?<=[.!?。！？])\s*|\n+")
ASKS = re.compile(
    r"\?|？|\b(want|need|would like|wish|please|can you|could you|how|where|when|why|is it"
    r"|i'd like|help|refund|return|cancel|change|missing|broken|damaged|wrong|haven't|didn't"
    r"|not received|still)\b|想|要|请|能不能|可以|吗|怎么|如何|为什么|何时|没有|还没|退|换|坏",
    re.IGNORECASE,
)
DONE = re.compile(
    r"\b(i've|i have|we've|we have|has been|have been|was|were|sent|refunded|shipped|cancelled"
    r"|canceled|issued|created|updated|changed|answered|replaced|processed|arranged|opened"
    r"|passed)\b|已|已经|为您|给您办|处理了|退款了|寄出",
    re.IGNORECASE,
)
PROMISE = re.compile(
    r"\b(will|we'll|i'll|shall|going to|as soon as|within \d+|tomorrow|next)\b"
    r"|会|将|尽快|稍后|明天",
    re.IGNORECASE,
)
GREETING = re.compile(
    r"^\W*(hi|hello|hey|dear\b.*|thanks?( you)?|thank you.*|best|regards|cheers|你好|您好|谢谢"
    r"|感谢)\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Turn:
    author: str  # customer | agent | assistant
    text: str


@dataclass(slots=True)
class Summary:
    wants: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.wants or self.done or self.pending)

    def as_text(self) -> str:
        """Plain lines an agent reads in a ticket (in the current language)."""
        lines = []
        for label, items in (
            (gettext(N_("Wants")), self.wants),
            (gettext(N_("Done")), self.done),
            (gettext(N_("Pending")), self.pending),
        ):
            if items:
                lines.append(f"{label}: " + " / ".join(items))
        return "\n".join(lines)

    def as_dict(self) -> dict[str, list[str]]:
        return {"wants": self.wants, "done": self.done, "pending": self.pending}


def sentences(text: str) -> list[str]:
    """The text's sentences, quoted lines of earlier mails and greetings left out."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    found = []
    for piece in _SPLIT.split("\n".join(lines)):
        piece = " ".join(piece.split())
        if len(piece) < 2 or GREETING.match(piece):
            continue
        found.append(piece if len(piece) <= MAX_SENTENCE else piece[: MAX_SENTENCE - 1] + "…")
    return found


def _central(candidates: list[str], context: list[str], count: int) -> list[str]:
    """The `count` candidates sharing most words with the context, in thread order."""
    weights = Counter(token for sentence in context for token in set(index_tokens(sentence)))
    scored = []
    for position, sentence in enumerate(candidates):
        tokens = set(index_tokens(sentence))
        if not tokens:
            continue
        overlap = sum(weights[t] - 1 for t in tokens) / len(tokens) ** 0.5
        scored.append((-overlap, position, sentence))
    chosen = sorted(scored)[:count]
    return [sentence for _score, _position, sentence in sorted(chosen, key=lambda s: s[1])]


def summarize(turns: Sequence[Turn], *, max_items: int = 2) -> Summary:
    summary = Summary()
    customer = [s for t in turns if t.author == "customer" for s in sentences(t.text)]
    asking = [s for s in customer if ASKS.search(s)] or customer[:1]
    summary.wants = _central(asking, customer, max_items)
    answers = [t for t in turns if t.author in ("agent", "assistant")]
    done = [s for t in answers for s in sentences(t.text) if DONE.search(s)]
    summary.done = list(dict.fromkeys(done))[-max_items:]
    if turns and turns[-1].author == "customer":
        last = [s for s in sentences(turns[-1].text) if ASKS.search(s)]
        if last:
            summary.pending.append(last[-1])
        else:
            summary.pending.append(gettext(N_("The customer's last message has no reply yet")))
    elif answers:
        promised = [s for s in sentences(answers[-1].text) if PROMISE.search(s)]
        summary.pending.extend(promised[-max_items:])
    return summary
