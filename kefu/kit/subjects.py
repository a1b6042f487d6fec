"""Subject lines compared across a conversation: reply/forward prefixes and ticket tokens
removed, so "Re: AW: 回复：Where is my order? [#12]" and "Where is my order?" match."""

import re

# Reply and forward prefixes of common mail clients in the languages our stores meet
# (English, Chinese, German, Nordic, Dutch, French, Spanish, Italian, Polish, Japanese).
_PREFIX = re.compile(
    r"^\s*(?:"
    r"re|aw|sv|vs|antw|antwort|ant|rif|r|ref|odp|res|tr|wg|fw|fwd|fwd?\s*\d*|enc|rv|"
    r"回复|回覆|答复|答覆|转发|轉寄|转寄|返信|転送"
    r")\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_BRACKETED_PREFIX = re.compile(r"^\s*\[(?:fwd?|re)\s*[:：]\s*(.*)\]\s*$", re.IGNORECASE)
TICKET_TOKEN = re.compile(r"\[\s*#\s*(\d{1,18})\s*\]")


def ticket_token(ticket_id: int) -> str:
    return f"[#{ticket_id}]"


def ticket_id_in(subject: str) -> int | None:
    """The ticket id of the last `[#1234]` token in a subject, if any."""
    found = TICKET_TOKEN.findall(subject or "")
    return int(found[-1]) if found else None


def normalize_subject(subject: str) -> str:
    """Lower-cased subject without reply/forward prefixes, ticket tokens and extra spaces."""
    text = TICKET_TOKEN.sub(" ", subject or "")
    while True:
        bracketed = _BRACKETED_PREFIX.match(text)
        if bracketed:
            text = bracketed.group(1)
            continue
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split()).casefold()
