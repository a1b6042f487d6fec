"""Search tokens for every language: the one tokenizer that the index and the queries share.

Text is NFKC-normalized and lowercased. Latin (and any space-delimited script's) words and
numbers become words; runs of CJK characters become overlapping bigrams ("申请退款" → 申请 请退
退款), a lone CJK character stays a unigram. E-mail addresses are indexed as their words (so a
quoted phrase still matches) and, at the end of the document, whole; phone-like digit groups
likewise as their groups and then as one joined number plus its suffixes (so "13800138000"
finds "+86 138 0013 8000"). Both databases store these tokens verbatim (FTS5 on SQLite, a
positional tsvector on PostgreSQL): no database word splitting, stemming or locale decides
what matches, so SQLite and PostgreSQL find the same tickets.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

MAX_TOKEN_LENGTH = 100
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15
# PostgreSQL keeps positions up to 16383; later tokens still match, without a position.
MAX_POSITION = 16383

_CJK = (
    "\u2e80-\u2fdf"  # radicals
    "\u3005-\u3007\u3021-\u3029\u3038-\u303b"  # ideographic marks and numbers
    "\u3040-\u30ff\u31f0-\u31ff"  # hiragana, katakana
    "\u3100-\u312f\u31a0-\u31bf"  # bopomofo
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # han
    "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"  # hangul
    "\U00020000-\U0003134f"  # han extensions
)


@cache
def _marks() -> str:
    """Combining marks of the basic plane as a regex class body: Indic vowel signs, viramas and
    the like belong inside words (Python's \\w leaves them out)."""
    ranges: list[str] = []
    start = previous = -2
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code))[0] != "M":
            continue
        if code != previous + 1:
            if start >= 0:
                ranges.append(_range(start, previous))
            start = code
        previous = code
    ranges.append(_range(start, previous))
    return "".join(ranges)


def _range(start: int, end: int) -> str:
    return re.escape(chr(start)) + ("" if start == end else "-" + re.escape(chr(end)))


@cache
def _scanner() -> re.Pattern[str]:
    return re.compile(
        r"(?P<email>[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+)"
        r"|(?P<phone>(?<![0-9a-z+])\+?\d[\d \-().]{4,}\d(?![0-9a-z]))"
        rf"|(?P<cjk>[{_CJK}]+)"
        rf"|(?P<word>{_word().pattern})(?P<star>\*)?"
    )


@cache
def _word() -> re.Pattern[str]:
    return re.compile(rf"(?:[^\W_{_CJK}]|[{_marks()}])+")


_QUOTED = re.compile(r'"([^"]*)"?')


def _kind(match: re.Match[str]) -> tuple[str, str]:
    kind = "word" if match.lastgroup in (None, "star") else match.lastgroup
    return kind, match.group(kind)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _words(text: str) -> list[str]:
    return [w for w in _word().findall(text) if len(w) <= MAX_TOKEN_LENGTH]


def _cjk(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _phone_digits(match: str) -> str | None:
    digits = re.sub(r"\D", "", match)
    return digits if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS else None


def index_tokens(*texts: str) -> list[str]:
    """The document tokens of some texts, in order; whole e-mails and numbers come last."""
    inline: list[str] = []
    extras: list[str] = []
    for text in texts:
        if len(text) > CACHED_TEXT_CHARS:
            words, found = _tokens(text)
        else:
            joined_words, joined_found = _text_tokens(text)
            words = joined_words.split(_JOIN) if joined_words else []
            found = joined_found.split(_JOIN) if joined_found else []
        inline += words
        extras += found
    return inline + list(dict.fromkeys(extras))


# A ticket's document is rewritten whole at each new message, from texts mostly tokenized
# before (its earlier messages, subject, requester): each process keeps the latest texts'
# tokens, joined (a string each, not a tuple of strings: tens of MB at most, even for
# Chinese text's bigrams, not hundreds).
CACHED_TEXT_CHARS = 4_000
_JOIN = "\x00"  # never in a token: the scanner matches words, addresses and digits


@lru_cache(maxsize=2048)
def _text_tokens(text: str) -> tuple[str, str]:
    words, found = _tokens(text)
    return _JOIN.join(words), _JOIN.join(found)


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """One text's inline tokens, and its whole e-mails and numbers (for the document's end)."""
    inline: list[str] = []
    extras: list[str] = []
    add = inline.append
    # findall's tuples are several times cheaper than match objects on a million tickets
    for email, phone, cjk, word, _star in _scanner().findall(normalize(text)):
        if word:
            if len(word) <= MAX_TOKEN_LENGTH:
                add(word)
        elif cjk:
            inline.extend(_cjk(cjk))
        elif email:
            inline.extend(_words(email))
            if len(email) <= MAX_TOKEN_LENGTH:
                extras.append(email)
        else:
            inline.extend(_words(phone))
            digits = _phone_digits(phone)
            if digits is not None:
                extras.extend(digits[i:] for i in range(len(digits) - MIN_PHONE_DIGITS + 1))
    return inline, extras


@dataclass(frozen=True, slots=True)
class Term:
    """What one query term must match: a single token, or several adjacent ones (a phrase);
    `is_prefix` matches any token that starts with the (single) token."""

    tokens: tuple[str, ...]
    is_prefix: bool = False


def query_terms(text: str) -> list[Term]:
    """The terms of a search text, all of which must match: words, "quoted phrases", e-mails
    and numbers whole, CJK runs as phrases of bigrams (one character: a prefix), `word*`."""
    terms: list[Term] = []
    position = 0
    for quoted in _QUOTED.finditer(text):
        terms.extend(_loose_terms(text[position : quoted.start()]))
        phrase = _inline_tokens(quoted.group(1))
        if phrase:
            terms.append(Term(tuple(phrase)))
        position = quoted.end()
    terms.extend(_loose_terms(text[position:]))
    return list(dict.fromkeys(terms))


def _inline_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for match in _scanner().finditer(normalize(text)):
        kind, value = _kind(match)
        tokens.extend(_cjk(value) if kind == "cjk" else _words(value))
    return tokens


def _loose_terms(text: str) -> list[Term]:
    terms: list[Term] = []
    for match in _scanner().finditer(normalize(text)):
        kind, value = _kind(match)
        if kind == "email":
            terms.append(Term((value,)))
        elif kind == "phone":
            digits = _phone_digits(value)
            if digits is not None:
                terms.append(Term((digits,)))
            else:
                terms.extend(Term((word,)) for word in _words(value))
        elif kind == "cjk":
            terms.append(Term(tuple(_cjk(value)), is_prefix=len(value) == 1))
        elif len(value) <= MAX_TOKEN_LENGTH:
            terms.append(Term((value,), is_prefix=match.group("star") is not None))
    return terms


def _pg_quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: list[str]) -> str:
    """PostgreSQL tsvector input with positions (for phrase matching), built here so that
    PostgreSQL's own parser never re-splits our tokens."""
    positions: dict[str, list[str]] = {}
    for number, token in enumerate(tokens, start=1):
        found = positions.setdefault(token, [])
        if number <= MAX_POSITION:
            found.append(str(number))
    return " ".join(
        _pg_quote(token) + (":" + ",".join(where[:255]) if where else "")
        for token, where in positions.items()
    )


def tsquery_literal(terms: list[Term]) -> str:
    """PostgreSQL tsquery input: all terms (&), phrases as <->, prefixes as :*."""
    parts = []
    for term in terms:
        if term.is_prefix:
            parts.append(_pg_quote(term.tokens[0]) + ":*")
        else:
            parts.append("(" + " <-> ".join(_pg_quote(t) for t in term.tokens) + ")")
    return " & ".join(parts)


def fts5_query(terms: list[Term]) -> str:
    """SQLite FTS5 MATCH expression: all terms, phrases quoted, prefixes with *."""
    parts = []
    for term in terms:
        phrase = '"' + " ".join(t.replace('"', '""') for t in term.tokens) + '"'
        parts.append(phrase + "*" if term.is_prefix else phrase)
    return " AND ".join(parts)
