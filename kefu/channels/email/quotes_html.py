"""Where the quoted history starts in a reply's HTML (gmail_quote, divRplyFwdMsg, QQ, 163 ...)."""

from __future__ import annotations

import html as html_lib
import re

# The element each client wraps the quoted message in (its header line included).
MARKERS = re.compile(
    r"<div[^>]*class=[\"'][^\"']*\b(gmail_quote|gmail_quote_container|yahoo_quoted|moz-cite-prefix|"
    r"protonmail_quote|zmail_extra|OutlookMessageHeader)\b"
    r"|<div[^>]*id=[\"']?(divRplyFwdMsg|appendonsend|mail-editor-reference-message-container|"
    r"isForwardContent|isReplyContent|origbody|QQMailOriginalMessage|ntes-pcmail-quote)\b"
    r"|<hr[^>]*id=[\"']?stopSpelling"
    r"|<blockquote[^>]*type=[\"']?cite"
    r"|<div[^>]*>\s*(?:<[^>]+>\s*)*-{5,}(?:&nbsp;|\s)*(?:original|原始邮件)(?:&nbsp;|\s)*-{5,}",
    re.IGNORECASE,
)
BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d|p|div|li|tr|hr)\b[^>]*>", re.IGNORECASE)
DROP = re.compile(r"<(style|script|head|title)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]+>")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def html_quote_prefix(html: str) -> str | None:
    """The text before the first quote container, or None when the HTML shows no quote.

    Apple Mail puts its "On … wrote:" line just before `<blockquote type="cite">`, so that
    line (the last paragraph before the blockquote, when it ends with a colon) is dropped too.
    """
    match = MARKERS.search(html)
    if match is None:
        return None
    before = html[: match.start()]
    text = _text(before)
    if match.group(0).lower().startswith("<blockquote"):
        paragraphs = text.rstrip().split("\n")
        while paragraphs and not paragraphs[-1].strip():
            paragraphs.pop()
        if paragraphs and paragraphs[-1].strip().endswith((":", "：")):
            paragraphs.pop()
        text = "\n".join(paragraphs)
    return text


def _text(fragment: str) -> str:
    fragment = COMMENT.sub("", fragment)
    fragment = DROP.sub("", fragment)
    body = re.search(r"<body[^>]*>", fragment, re.IGNORECASE)
    if body:
        fragment = fragment[body.end() :]
    fragment = BLOCK.sub("\n", fragment)
    fragment = TAG.sub("", fragment)
    return html_lib.unescape(fragment).replace("\xa0", " ")
