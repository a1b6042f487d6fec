"""HTML from outside (email, chat, API) made safe to store and show, and its plain text."""

import re
from html.parser import HTMLParser

import nh3

URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
_BLOCKS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "ul", "ol", "hr", "section", "article",
}  # fmt: skip
_SKIP = {"script", "style", "head", "title"}


def sanitize_html(html: str) -> str:
    """Keep formatting, links and images; drop scripts, styles, event handlers and
    `javascript:` URLs (nh3 is an allow-list sanitizer, so unknown markup goes too)."""
    return nh3.clean(html, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body: blocks become lines, at most one blank line."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = [line.strip() for line in "".join(collector.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
