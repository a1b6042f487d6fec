"""Article Markdown to safe HTML and plain text, and slugs from titles."""

import re
import unicodedata
from functools import cache

from markdown_it import MarkdownIt

from kefu.kit.sanitize import html_to_text, sanitize_html

MAX_SLUG = 80


@cache
def _parser() -> MarkdownIt:
    # CommonMark with tables and strikethrough; raw HTML is escaped, and nh3 cleans the rest
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(body: str) -> str:
    """Sanitized HTML of an article body (images, links and tables kept, scripts dropped)."""
    return sanitize_html(_parser().render(body or ""))


def markdown_text(body: str) -> str:
    """The readable text of an article body, as search and snippets see it."""
    return html_to_text(render_markdown(body))


def summary_of(body: str, limit: int = 200) -> str:
    text = " ".join(markdown_text(body).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by hyphens ("Shipping & times" → "shipping-times");
    empty for a title without Latin letters or digits (a Chinese title)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:MAX_SLUG].strip("-")


def clean_slug(slug: str) -> str:
    """A slug someone typed, made URL-safe the same way (Chinese characters are dropped)."""
    return slugify(slug)
