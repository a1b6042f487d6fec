"""Reply stripping accuracy: kefu's split_reply and open-source parsers on the labelled corpora.

    .venv/bin/python -m bench.email_replies            writes the "Reply stripping" section
    .venv/bin/python -m bench.email_replies --print    prints it instead
    .venv/bin/python -m bench.email_replies --failures lists the replies kefu gets wrong

A reply counts as right when its new part equals the label, whitespace-normalised (the
signature and the sign-off must be folded too). The comparison libraries are optional:
`pip install email-reply-parser mail-parser-reply` into the venv for a run; they are not
project dependencies, and a library that is not installed is reported as such.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import REPORT, machine, write_section
from kefu.channels.email.quotes import split_reply
from tests.channels.email.quotes_corpus import (
    Sample,
    load_heldout,
    load_heldout2,
    load_heldout3,
    load_own,
    load_public,
    normalise,
)

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Reply stripping"

Parser = Callable[[Sample], str]
CORPORA = ("public", "own", "heldout", "heldout2", "heldout3")
# The held-out corpus's first run, before the fixes it prompted: kefu right on 141 of 151
# replies (commit 6f889ce, parser as merged in da1dce8). Recorded here, as it cannot be re-run.
HELDOUT_FIRST_RUN = (141, 151)


@dataclass
class Score:
    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool) -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.wrong.append(name)

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0

    def cell(self) -> str:
        return f"{self.share:.1%} ({self.right}/{self.total})"


def kefu(sample: Sample) -> str:
    return split_reply(sample.text, html=sample.html).new


def kefu_text_only(sample: Sample) -> str:
    return split_reply(sample.text).new


def libraries() -> dict[str, Parser | str]:
    """The comparison parsers by name; a string says why one could not be used."""
    found: dict[str, Parser | str] = {}
    try:
        from email_reply_parser import EmailReplyParser  # type: ignore[import-not-found]

        found["email-reply-parser"] = lambda s: EmailReplyParser.parse_reply(s.text) or ""
    except ImportError:
        found["email-reply-parser"] = "not installed"
    try:
        from mailparser_reply import EmailReplyParser as MailParserReply  # type: ignore
        from mailparser_reply.constants import MAIL_LANGUAGES  # type: ignore

        reader = MailParserReply(languages=list(MAIL_LANGUAGES))
        found["mail-parser-reply"] = lambda s: reader.parse_reply(s.text) or ""
    except ImportError:
        found["mail-parser-reply"] = "not installed"
    return found


def measure(parsers: dict[str, Parser], samples: list[Sample]) -> dict[str, dict[str, Score]]:
    """scores[parser][group]: a corpus name, or "<corpus> · client: x" / "· language: x"."""
    scores: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    for name, parse in parsers.items():
        for sample in samples:
            try:
                ok = normalise(parse(sample)) == normalise(sample.expected)
            except Exception:  # a library that crashes on a mail gets it wrong
                ok = False
            corpus = sample.corpus
            groups = [corpus]
            if corpus in ("own", "heldout", "heldout3"):
                groups.append(f"{corpus} · language: {sample.language}")
                if sample.html is not None:
                    groups.append(f"{corpus} · with HTML")
            if corpus == "own":
                groups.append(f"{corpus} · client: {sample.client}")
            for group in groups:
                scores[name][group].add(sample.name, ok)
    return scores


def section(samples: list[Sample]) -> tuple[list[str], dict[str, dict[str, Score]]]:
    available = libraries()
    parsers: dict[str, Parser] = {"kefu": kefu, "kefu (text only)": kefu_text_only}
    parsers |= {name: p for name, p in available.items() if not isinstance(p, str)}
    start = time.perf_counter()
    for sample in samples:
        split_reply(sample.text, html=sample.html)
    per_reply_ms = (time.perf_counter() - start) / len(samples) * 1000
    scores = measure(parsers, samples)
    count = {c: sum(s.corpus == c for s in samples) for c in CORPORA}
    clients = len({s.client for s in samples if s.corpus == "own"})
    groups = sorted(
        scores["kefu"],
        key=lambda g: (
            CORPORA.index(g.split(" · ")[0]),
            " · " in g,
            "client" in g,
            "HTML" in g,
            g,
        ),
    )
    names = list(parsers)
    right, total = HELDOUT_FIRST_RUN
    lines = [
        HEADING,
        "",
        "Written by `python -m bench.email_replies` (do not edit by hand). The share of customer "
        "replies whose new part `kefu.channels.email.quotes.split_reply` gets exactly right "
        "(whitespace-normalised; quoted history, signature and sign-off all folded away), "
        "beside open-source parsers run on the same text.",
        "",
        f"- **Date:** {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- **Machine:** {machine()}",
        f"- **Corpora** (`tests/channels/email/replies/`): public — {count['public']} test "
        "emails of GitHub's `email_reply_parser` (MIT), labelled by us; own — "
        f"{count['own']} English and Chinese replies from {clients} clients, written with the "
        f"parser; heldout — {count['heldout']} replies (half Chinese) written blind by a second "
        "author before reading the parser, over the same clients and ProtonMail, Zoho, Outlook "
        "for Mac, Samsung Email, Sina/Sohu, Aliyun, Tencent Exmail, WeChat Work and HTML-only "
        f"mail; heldout2 — {count['heldout2']} more replies written blind after the fixes the "
        "heldout corpus prompted; heldout3 — "
        f"{count['heldout3']} replies (half Chinese) written blind after the closing lexicon, "
        "committed before its one run and never tuned on. Target: 95 % on each.",
        f"- **Speed:** {per_reply_ms:.2f} ms per reply on average.",
    ]
    missing = [f"`{n}` ({why})" for n, why in available.items() if isinstance(why, str)]
    if missing:
        lines.append(f"- **Not measured:** {', '.join(missing)}.")
    lines += [
        "",
        "| corpus / group | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for group in groups:
        if group == "heldout":
            first = f"{right / total:.1%} ({right}/{total})"
            cells = [first if name == "kefu" else "—" for name in names]
            lines.append("| heldout, first run (before its fixes) | " + " | ".join(cells) + " |")
        cells = [scores[name][group].cell() for name in names]
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "### What the reply figures show",
        "",
        "- *kefu (text only)* ignores the HTML part. On this corpus the plain text alone already "
        "carries every quote header (`On … wrote:`, `发件人:` blocks, `原始邮件` separators), so "
        "the HTML markers (gmail_quote, divRplyFwdMsg, blockquote type=cite, QQ's and 163's "
        "quote containers) add accuracy only when a client's text part lacks a recognisable "
        "header; they are used only when the text shows no quote at all.",
        "- The own corpus and the parser were written by the same person (first run 122/134, "
        "91.0 %), so its figure is not a measure of unseen mail. The honest figures are the "
        f"blind ones: heldout's first run ({right}/{total}, {right / total:.1%}), then "
        "heldout2, written after heldout's misses were fixed by general rules (traditional "
        "Chinese phone lines, Samsung/Zoho/以下是转发的邮件 separators, legal disclaimers under "
        "signatures, address and company lines, name-and-title and nickname-and-contact "
        "blocks) and measured once. heldout's figure after its fixes is a fitted one too.",
        "- heldout2 was measured once at 86.4 % (38/44). Its misses were closings the parser "
        'did not know ("Yours faithfully", "Greetings from …", "Thanks and regards", a '
        'bilingual "Best regards / Mit freundlichen Grüßen"), an eco footer and a last '
        '"订单号：…" line folded as if it were a signature. They were answered by rules, not by '
        "its texts: a closing lexicon by language (English, Chinese simplified and traditional, "
        "German, French, Spanish, Italian, Dutch, Portuguese, Nordic, Japanese, Korean, Russian) "
        "whose phrases combine with and/&/commas/slashes; a closing is folded only from the "
        "final block and only over signature-like lines; order and tracking numbers and amounts "
        "are never signature lines, and labelled values or postal addresses only under a "
        "closing or beside a phone, e-mail or company line; eco/print footers folded as "
        "trailing blocks. Its figure now is therefore no longer blind.",
        "- heldout3 was written after those rules, committed, and measured once: "
        "93.8 % (60/64; English 29/32, Chinese 31/32). Its four misses all keep too much, "
        "none folds customer text: a name under a line that ends in an informal closing "
        '("… Cheers mate\\nDaz", "… 多谢啦~\\n阿杰"), a Dutch "B.V." company line, and a '
        '"Looking forward to your reply." paragraph above "Best regards". Expect roughly '
        "90–95 % on mail from customers and clients nobody here has seen.",
        '- The libraries keep sign-offs and name lines ("Thanks,\\nJohn") in the new part and '
        "know no Chinese quote header (`于…写道：`, `发件人:/发送时间:`, `原始邮件`), which "
        "is most of their misses.",
        "",
    ]
    return lines, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--print", action="store_true", help="print the section, do not write")
    parser.add_argument("--failures", action="store_true", help="list kefu's wrong replies")
    args = parser.parse_args()
    samples = load_public() + load_own() + load_heldout() + load_heldout2() + load_heldout3()
    lines, scores = section(samples)
    if args.failures:
        for group in CORPORA:
            print(group, scores["kefu"][group].wrong)
    if args.print:
        print("\n".join(lines))
        return
    write_section(HEADING, lines)
    print(f"wrote the reply stripping section of {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
