"""Parsing one raw email into plain values: addresses, ids, subject, text, html, attachments.

`parse_email` never raises: whatever the bytes, it returns what it could read and names
what was wrong in `defects`, so one malformed mail never stops a fetcher."""

from __future__ import annotations

import email.parser
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message

from kefu.channels.email import charsets, mime_boundary, mime_runs
from kefu.channels.email.parse_parts import EmailAttachment, walk_parts

mime_boundary.install()  # no regular expression compiled per multipart mail

# compat32 keeps headers raw (we decode them ourselves, with the charset rules in
# charsets.py) and parses several times faster than policy.default, which builds a
# structured object for every header it touches. Bodies are decoded the same way by both.
_POLICY = policy.compat32
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_BARE_ID = re.compile(r"[^<>\s@,;]+@[^<>\s@,;]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SIMPLE_ADDRESS = re.compile(r"\s*(?:(.*?)\s*<\s*([^<>\s]*)\s*>|([^<>\s]+))\s*")
_COMPLEX_ADDRESS = re.compile(r"[\"():;\\\[]")


@dataclass(slots=True)
class Address:
    """One mailbox from a header; email lower-cased, validated loosely."""

    name: str
    email: str


@dataclass(slots=True)
class ParsedEmail:
    message_id: str | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: Address | None = None
    reply_to: list[Address] = field(default_factory=list)
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    html: str | None = None
    attachments: list[EmailAttachment] = field(default_factory=list)
    headers: dict[str, list[str]] = field(default_factory=dict)
    defects: list[str] = field(default_factory=list)
    size: int = 0


def first_header(headers: dict[str, list[str]], name: str) -> str:
    """The first value of a header (names in lower case, as `ParsedEmail.headers` keeps
    them), stripped; "" when the mail has none."""
    values = headers.get(name)
    return values[0].strip() if values else ""


def parse_email(raw: bytes, *, max_attachment_bytes: int = 25_000_000) -> ParsedEmail:
    """Parse `raw`; never raises. Attachments over `max_attachment_bytes` are dropped with
    an "attachment_too_large" defect and the rest of the mail is kept."""
    parsed = ParsedEmail(size=len(raw))
    try:
        message = mime_runs.parse(email.parser.BytesParser(policy=_POLICY), bytes(raw))
    except Exception as exc:  # the parser is tolerant; this is a last resort
        parsed.defects.append(f"unparseable: {type(exc).__name__}")
        return parsed
    hint = None
    try:
        body = walk_parts(message, max_attachment_bytes=max_attachment_bytes)
    except Exception as exc:  # keep the headers
        parsed.defects.append(f"broken_mime: {type(exc).__name__}")
    else:
        parsed.text, parsed.html, parsed.attachments = body.text, body.html, body.attachments
        parsed.defects.extend(body.defects)
        hint = body.codec
    try:
        raw_headers = _read_headers(message, parsed, hint)
    except Exception as exc:
        parsed.defects.append(f"broken_header: {type(exc).__name__}")
        raw_headers = {}
    for step in (_read_addresses, _read_ids, _read_date):
        try:
            step(raw_headers, parsed)
        except Exception as exc:  # keep what the other steps can read
            parsed.defects.append(f"broken_header: {step.__name__[6:]} {type(exc).__name__}")
    parsed.defects = list(dict.fromkeys(parsed.defects))
    return parsed


def _read_headers(message: Message, parsed: ParsedEmail, hint: str | None) -> dict[str, list[str]]:
    """Fill `parsed.headers` (decoded) and return the same headers with encoded words still
    in place, which address parsing needs (a decoded name may hold a comma)."""
    raw_headers: dict[str, list[str]] = {}
    headers: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        key = name.strip().lower()
        text, defect = charsets.raw_header_text(charsets.unfold(str(value)), hint=hint)
        if defect:
            parsed.defects.append(f"{defect} in {key}")
        raw_headers.setdefault(key, []).append(text)
        headers.setdefault(key, []).append(charsets.decode_words(text, hint=hint).strip())
    parsed.headers = headers
    subjects = headers.get("subject")
    parsed.subject = " ".join(subjects[0].split()) if subjects else ""
    parsed.defects.extend(f"broken_mime: {type(d).__name__}" for d in message.defects)
    return raw_headers


def addresses(values: list[str]) -> list[Address]:
    """Mailboxes from header values (display names decoded, groups flattened)."""
    pairs: list[tuple[str, str]] = []
    for value in values:
        if _COMPLEX_ADDRESS.search(value):
            pairs.extend(email.utils.getaddresses([value]))
            continue
        for item in value.split(","):
            match = _SIMPLE_ADDRESS.fullmatch(item)
            if match:
                pairs.append((match[1] or "", match[2] or match[3] or ""))
    found: list[Address] = []
    for name, addr in pairs:
        addr = addr.strip().strip("<>").strip().lower()
        if "@" not in addr or addr.startswith("@") or addr.endswith("@") or " " in addr:
            continue
        name = " ".join(charsets.decode_words(name).split()).strip("\"' ")
        found.append(Address(name=name, email=addr))
    return found


def _read_addresses(raw: dict[str, list[str]], parsed: ParsedEmail) -> None:
    for header in ("from", "sender", "return-path"):
        values = raw.get(header)
        if not values:
            continue
        found = addresses(values)
        if found:
            parsed.sender = found[0]
            if header != "from":
                parsed.defects.append(f"no_from: used {header}")
            break
        if header == "from":
            parsed.defects.append(f"bad_from: {values[0][:80]}")
    if parsed.sender is None:
        parsed.defects.append("no_from")
    parsed.reply_to = addresses(raw.get("reply-to", []))
    parsed.to = addresses(raw.get("to", []))
    parsed.cc = addresses(raw.get("cc", []))
    delivered = [
        a.email
        for header in ("delivered-to", "x-original-to", "envelope-to")
        for a in addresses(raw.get(header, []))
    ]
    parsed.delivered_to = list(dict.fromkeys(delivered))


def message_ids(value: str) -> list[str]:
    """Ids in a Message-ID, In-Reply-To or References value, without <>, in order."""
    found = _MSG_ID.findall(value) or _BARE_ID.findall(value)
    return list(dict.fromkeys(found))


def _read_ids(raw: dict[str, list[str]], parsed: ParsedEmail) -> None:
    values = [v.strip() for v in raw.get("message-id", [])]
    if len(values) > 1:
        parsed.defects.append("duplicate_message_id")
    ids = message_ids(values[0]) if values else []
    if ids:
        parsed.message_id = _CONTROL.sub("", ids[0])[:250] or None
    elif values and values[0] and " " not in values[0]:
        parsed.message_id = _CONTROL.sub("", values[0].strip("<>"))[:250] or None
    if parsed.message_id is None:
        parsed.defects.append("bad_message_id" if values and values[0] else "no_message_id")
    parsed.in_reply_to = message_ids(" ".join(raw.get("in-reply-to", [])))
    parsed.references = message_ids(" ".join(raw.get("references", [])))


def _read_date(raw: dict[str, list[str]], parsed: ParsedEmail) -> None:
    values = raw.get("date")
    if not values:
        parsed.defects.append("no_date")
        return
    try:
        date = email.utils.parsedate_to_datetime(values[0].strip())
        if date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
        parsed.date = date.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed.defects.append(f"bad_date: {values[0][:60]}")


__all__ = ["Address", "EmailAttachment", "ParsedEmail", "addresses", "message_ids", "parse_email"]
