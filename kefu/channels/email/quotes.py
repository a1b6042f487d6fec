"""Show the new part only: a reply split into what the customer wrote now, signature, history."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from kefu.channels.email.quotes_html import html_quote_prefix
from kefu.channels.email.quotes_signature import split_signature

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReplyParts:
    new: str  # what the customer wrote now: no quoted history, no signature, no sign-off
    signature: str  # sign-off + signature lines that were folded
    quoted: str  # the quoted history, with its header line ("On ... wrote:", "-----原始邮件-----")


# "-----Original Message-----", "------------------ 原始邮件 ------------------",
# "---------- Forwarded message ---------", "----- 转发的邮件 -----", "Begin forwarded message:".
SEPARATOR = re.compile(
    r"^[\s*]*[-=_]{2,}\s*("
    r"original message|original|original e-?mail|forwarded message|forwarded e-?mail|reply message|"
    r"原始邮件|原始郵件|原邮件|原郵件|转发的邮件|转发邮件|轉寄的郵件|轉發的郵件|转发的信件|"
    r"原始信息|原始訊息|原始消息|原信息|原訊息|"
    r"message d'origine|message transféré|ursprüngliche nachricht|weitergeleitete nachricht|"
    r"mensaje original|mensaje reenviado|messaggio originale|messaggio inoltrato|"
    r"mensagem original|mensagem encaminhada|oorspronkelijk bericht|doorgestuurd bericht|"
    r"[^-=_]{0,12}(原邮件|原郵件|邮件信息|郵件資訊|原始信息|原始訊息|original|forwarded|message)"
    r"[^-=_]{0,12}"
    r")\s*[-=_]{2,}[\s*]*$"
    r"|^\s*(begin forwarded message|开始转发的邮件|转发的邮件|轉寄的郵件"
    r"|(以下|下面)[是为為]?(转发|轉發|轉寄)的?(邮件|郵件))\s*[:：]\s*$",
    re.IGNORECASE,
)
RULE = re.compile(r"^\s*([_-])\1{19,79}\s*$")  # Outlook's underscores; a long dash rule
HEADER_KEYS = {
    "from": r"from|发件人|發件人|寄件者|寄件人|发信人|由|de|von|da|van|från|fra|od|от",
    "date": r"sent|date|发送时间|發送時間|寄件日期|日期|时间|時間|envoyé|gesendet|datum|inviato|"
    r"enviado|enviada em|enviado el|data|fecha|date d'envoi|verzonden|skickat|sendt",
    "to": r"to|收件人|收件者|a|à|an|para|aan|till|til|до",
    "subject": r"subject|主题|主題|主旨|標題|标题|objet|betreff|oggetto|asunto|assunto|onderwerp|"
    r"ämne|emne|тема",
    "cc": r"cc|抄送|副本|kopie",
    "reply-to": r"reply-to",
}
HEADER_LINE = re.compile(
    r"^[\s*]*(?:"
    + "|".join(f"(?P<{k.replace('-', '_')}>{v})" for k, v in HEADER_KEYS.items())
    + r")"
    r"\s*\*?\s*[:：]",
    re.IGNORECASE,
)
INLINE_HEADER = re.compile(r"\b(from|to|date|sent|subject|cc)\s*:", re.IGNORECASE)
WROTE = (
    r"(wrote|writes|schrieb|a écrit|a ecrit|ha scritto|escribió|escribio|escreveu|skrev|schreef|"
    r"napisał|kirjoitti|написал\(а\)|написал|写道|寫道|来信|來信|的来信|的來信)"
)
WROTE_AT_END = re.compile(WROTE + r"$", re.IGNORECASE)
WROTE_LONGEST = 12  # characters of the longest word in WROTE
DIGIT = re.compile(r"\d")
ATTRIBUTION_ON = re.compile(
    r"^(on|le|am|el|il|em|op|den|в)\b.{4,300}\b" + WROTE + r"\s*[:：]?\s*$", re.I
)
ATTRIBUTION_ANY = re.compile(r"^.{0,300}?" + WROTE + r"\s*[:：]\s*$", re.IGNORECASE)
ATTRIBUTION_ZH = re.compile(
    r"^(在|于|於).{4,200}(写道|寫道)\s*[:：]?\s*$|^.{2,200}(于|於).{4,80}(写道|寫道)\s*[:：]?\s*$"
)
# A webmail that flattened the header and the quote into one line: "On … wrote: Hi, your order …"
FLATTENED = re.compile(r"^(on|在)\b.{4,200}?" + WROTE + r"\s*[:：]\s+\S", re.IGNORECASE)
ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
DATE_OR_TIME = re.compile(
    r"\d{1,2}[:.]\d{2}|\d{4}\s*[-/年.]|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\s*[日月]"
)
QUOTED = re.compile(r"^\s*>")
MAX_MATCH = 1000  # lines longer than this are never a header; regexes stay linear


def split_reply(text: str, *, html: str | None = None) -> ReplyParts:
    """Split an inbound reply; never raises, and keeps everything in `new` when unsure."""
    try:
        return _split(text or "", html)
    except Exception:  # a parser bug must never lose or block a customer's message
        log.exception("reply splitting failed; keeping the whole text (%d chars)", len(text or ""))
        return ReplyParts(new=(text or "").strip(), signature="", quoted="")


def _clean(line: str) -> str:
    line = line.replace("&nbsp;", " ").replace("\xa0", " ").replace("\u3000", " ")
    return line.strip()[:MAX_MATCH]


def _split(text: str, html: str | None) -> ReplyParts:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned = [_clean(line) for line in lines]
    windows: dict[int, int] = {}
    hard = _hard_start(cleaned, windows)
    kinds = _classify(cleaned, hard, windows)
    if "q" not in kinds and html:
        prefix = html_quote_prefix(html)
        if prefix is not None:
            cut = _align(lines, prefix)
            if cut is not None:
                kinds = ["n"] * cut + ["q"] * (len(lines) - cut)
    new_lines = [line for line, kind in zip(lines, kinds, strict=True) if kind == "n"]
    quoted_lines = [line for line, kind in zip(lines, kinds, strict=True) if kind == "q"]
    new_lines = _squeeze(new_lines)
    new_part, signature = split_signature(new_lines)
    return ReplyParts(
        new="\n".join(new_part).strip("\n"),
        signature="\n".join(signature).strip("\n"),
        quoted="\n".join(quoted_lines).strip("\n"),
    )


def _squeeze(lines: list[str]) -> list[str]:
    """Drop the blank runs left where quoted blocks were taken out."""
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out


def _hard_start(cleaned: list[str], windows: dict[int, int]) -> int:
    """The first line from which everything is history: a separator or a header block.
    `windows` keeps each line's `_attribution_window` for `_classify`."""
    for index, line in enumerate(cleaned):
        if not line:
            continue
        if SEPARATOR.match(line):
            return _with_rule_above(cleaned, index)
        if _is_header_block(cleaned, index):
            return _with_rule_above(cleaned, index)
        if RULE.match(line) and any(cleaned[:index]) and any(cleaned[index + 1 :]):
            return index
        if FLATTENED.match(line) and (ADDRESS.search(line) or DATE_OR_TIME.search(line)):
            return index
        window = windows[index] = _attribution_window(cleaned, index)
        if window and not _quote_follows(cleaned, index + window):
            return index
    return len(cleaned)


def _with_rule_above(cleaned: list[str], index: int) -> int:
    above = index - 1
    while above >= 0 and not cleaned[above]:
        above -= 1
    if above >= 0 and re.fullmatch(r"[-_=*\s]{5,}", cleaned[above]):
        return above
    return index


def _header_kind(line: str) -> str | None:
    match = HEADER_LINE.match(line)
    if not match:
        return None
    return next(name for name, value in match.groupdict().items() if value is not None)


def _is_header_block(cleaned: list[str], index: int) -> bool:
    """ "From: … Sent: … To: … Subject: …" (Outlook, QQ, Foxmail, 发件人/发送时间/收件人/主题)."""
    line = cleaned[index]
    first = _header_kind(line)
    if first is None:
        return False
    if first in ("from", "date") and len({m.lower() for m in INLINE_HEADER.findall(line)}) >= 3:
        return True
    if first not in ("from", "date", "reply_to"):
        return False
    kinds = {first}
    loose = 0
    for other in cleaned[index + 1 : index + 14]:
        if not other:
            continue
        kind = _header_kind(other)
        if kind is None:
            loose += 1
            if loose > 1:
                break
            continue
        kinds.add(kind)
        loose = 0
    return len(kinds) >= 3 and bool(kinds & {"date", "subject", "to"})


def _attribution_window(cleaned: list[str], index: int, *, nested: bool = False) -> int:
    """How many lines (1-3) the "On … wrote:" / "在 … 写道：" header starting here spans, or 0."""
    if index and cleaned[index - 1] and QUOTED.match(cleaned[index]):
        return 0
    parts: list[str] = []
    for size in range(1, 4):
        if index + size > len(cleaned) or not cleaned[index + size - 1]:
            return 0
        if parts and parts[-1].endswith((".", "!", "?", "。", "！", "？")):
            return 0  # a sentence ended: the header starts on a later line
        parts.append(cleaned[index + size - 1].lstrip("> ") if size > 1 else cleaned[index])
        joined = " ".join(parts)
        if len(joined) > 400 or QUOTED.match(cleaned[index]):
            return 0
        if _is_attribution(joined) or _is_header_before_quote(cleaned, index, size, joined):
            if (
                size > 1
                and not nested
                and not re.search(r"\d|@", parts[0])
                and _attribution_window(cleaned, index + 1, nested=True)
            ):
                return 0  # the header starts on the next line ("来自网易邮箱大师\n在 … 写道：")
            return size
    return 0


def _is_attribution(joined: str) -> bool:
    if joined.startswith(("--", "==")) and joined.endswith(("--", "==")):
        joined = joined.strip("-= ")  # Zoho: "---- On … wrote ---"
    if not _ends_with_wrote(joined):
        return False  # what all three patterns below need: most lines stop here
    has_address = "@" in joined and bool(ADDRESS.search(joined))
    if not (has_address or DIGIT.search(joined)):  # DATE_OR_TIME has a digit too
        return False
    if ATTRIBUTION_ON.match(joined) or ATTRIBUTION_ZH.match(joined):
        return True
    return bool(ATTRIBUTION_ANY.match(joined)) and (
        has_address or bool(DATE_OR_TIME.search(joined))
    )


def _ends_with_wrote(line: str) -> bool:
    """ "… wrote:", "… 写道：": WROTE, then at most a colon, before the end (spaces aside)."""
    tail = line.rstrip()
    if tail.endswith((":", "：")):
        tail = tail[:-1].rstrip()
    return bool(WROTE_AT_END.search(tail[-WROTE_LONGEST:]))


def _is_header_before_quote(cleaned: list[str], index: int, size: int, joined: str) -> bool:
    """ "15. marts 2017 kl. 11.00 skrev John <j@x.com>:" in any language, right above "> …"."""
    if not joined.endswith((":", "：", "=")):
        return False
    if not (("@" in joined and ADDRESS.search(joined)) or DATE_OR_TIME.search(joined)):
        return False
    return _quote_follows(cleaned, index + size)


def _quote_follows(cleaned: list[str], index: int) -> bool:
    while index < len(cleaned) and not cleaned[index]:
        index += 1
    return index < len(cleaned) and bool(QUOTED.match(cleaned[index]))


def _classify(cleaned: list[str], hard: int, windows: dict[int, int]) -> list[str]:
    """ "n" (new) or "q" (quoted) per line; quoted blocks may be interleaved with new text."""
    kinds = ["q"] * len(cleaned)
    index = 0
    while index < hard:
        window = windows.get(index)
        if window is None:
            window = _attribution_window(cleaned, index)
        if window:
            for offset in range(window):
                kinds[index + offset] = "q"
            index += window
            # the quote block below the header, blank lines inside it included
            while index < hard and (not cleaned[index] or QUOTED.match(cleaned[index])):
                kinds[index] = "q" if QUOTED.match(cleaned[index]) else "n"
                index += 1
            continue
        kinds[index] = "q" if QUOTED.match(cleaned[index]) else "n"
        index += 1
    return kinds


def _align(lines: list[str], prefix: str) -> int | None:
    """The line where the plain text passes the HTML's text before its quote, or None."""
    target = "".join(prefix.split())
    if not target:
        return 0
    seen = 0
    for index, line in enumerate(lines):
        compact = "".join(_clean(line).split())
        if not compact:
            continue
        if target[seen : seen + len(compact)] != compact:
            return None
        seen += len(compact)
        if seen >= len(target):
            return index + 1
    return None
