"""Tag spelling shared by tickets and customers: trimmed, lower case, no inner spaces."""

import re
import unicodedata

from kefu.errors import InvalidInput

MAX_TAG_LENGTH = 100


def normalize_tag(raw: str) -> str:
    tag = re.sub(r"\s+", "_", unicodedata.normalize("NFKC", raw).strip().lower())
    if not tag:
        raise InvalidInput("a tag must not be blank")
    if len(tag) > MAX_TAG_LENGTH:
        raise InvalidInput(f"a tag is at most {MAX_TAG_LENGTH} characters: {tag[:20]}…")
    if "," in tag:
        raise InvalidInput(f"a tag must not contain a comma: {tag}")
    return tag


def normalize_tags(raw: list[str]) -> list[str]:
    """Normalized, duplicates removed, order kept."""
    return list(dict.fromkeys(normalize_tag(tag) for tag in raw))
