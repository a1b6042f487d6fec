"""Walking a parsed MIME tree: which parts are the text and html body, which are
attachments (inline images with their cid, forwarded messages, TNEF), and their bytes."""

from __future__ import annotations

import email.parser
import io
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.generator import BytesGenerator
from email.message import Message

from kefu.channels.email import charsets

MAX_PARTS = 1000
_GENERATE = policy.compat32.clone(max_line_length=None)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_BOUNDARY_LINE = re.compile(r"^--([^\s]{1,200}?)(?:--)?[ \t]*\r?$", re.M)
_PATH_PART = re.compile(r"[\\/]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EXTENSIONS = {
    "application/ms-tnef": ".dat",
    "application/octet-stream": ".bin",
    "application/pdf": ".pdf",
    "application/pgp-signature": ".asc",
    "application/pkcs7-signature": ".p7s",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "message/global-delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "text/rfc822-headers": ".txt",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
}
_BASE_NAMES = {
    "message/rfc822": "message",
    "message/delivery-status": "delivery-status",
    "message/global-delivery-status": "delivery-status",
    "message/disposition-notification": "disposition-notification",
    "text/rfc822-headers": "headers",
    "application/ms-tnef": "winmail",
}


@dataclass(slots=True)
class EmailAttachment:
    filename: str  # never empty (derived from the type when missing), no path parts
    content_type: str
    data: bytes
    content_id: str | None  # without <>
    is_inline: bool


@dataclass(slots=True)
class Body:
    text: str = ""
    html: str | None = None
    attachments: list[EmailAttachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    codec: str | None = None  # the first non-ASCII charset the text used: a hint for headers


def walk_parts(message: Message, *, max_attachment_bytes: int) -> Body:
    body = Body()
    texts: list[str] = []
    htmls: list[str] = []
    stack = [message]
    seen = 0
    while stack:
        part = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            body.defects.append(f"broken_mime: more than {MAX_PARTS} parts")
            break
        content_type = part.get_content_type()
        payload = part.get_payload()
        if isinstance(payload, list) and not content_type.startswith("message/"):
            stack.extend(reversed(payload))
        elif isinstance(payload, list) or content_type.startswith("multipart/"):
            is_multipart = content_type.startswith("multipart/")
            recovered = _with_found_boundary(part) if is_multipart else None
            if recovered is not None:
                body.defects.append("broken_mime: boundary recovered")
                stack.append(recovered)
            elif is_multipart:  # no boundary at all: keep the text
                texts.append(_text(part, body, "text/plain", _params(part, "content-type")))
            else:
                _attach(part, content_type, _generated(payload, body), body, max_attachment_bytes)
        elif content_type in ("text/plain", "text/html") and _is_body(
            part, params := _params(part, "content-type")
        ):
            (htmls if content_type == "text/html" else texts).append(
                _text(part, body, content_type, params)
            )
        else:
            data = part.get_payload(decode=True)
            _attach(part, content_type, data or b"", body, max_attachment_bytes)
        body.defects.extend(f"broken_mime: {type(d).__name__}" for d in part.defects)
    body.text = "\n".join(t for t in texts if t)
    body.html = "\n".join(htmls) if htmls else None
    return body


def _with_found_boundary(part: Message) -> Message | None:
    """A multipart whose declared boundary never occurs, parsed again with the boundary its
    body does use (a client that rewrote one and not the other)."""
    payload = part.get_payload()
    found = _BOUNDARY_LINE.search(payload) if isinstance(payload, str) else None
    if found is None:
        return None
    head = f'Content-Type: {part.get_content_type()}; boundary="{found[1]}"\n\n'
    raw = (head + payload).encode("ascii", "surrogateescape")
    recovered = email.parser.BytesParser(policy=policy.compat32).parsebytes(raw)
    return recovered if isinstance(recovered.get_payload(), list) else None


def _params(part: Message, header: str) -> dict[str, str | tuple[str, str, str]]:
    """A header's parameters, parsed once (Message.get_param parses the header per call)."""
    if header not in part:
        return {}
    try:
        return {str(k): v for k, v in (part.get_params(header=header) or [])[1:]}
    except Exception:  # mixed RFC 2231 continuations: no parameters then
        return {}


def _is_body(part: Message, params: dict[str, str | tuple[str, str, str]]) -> bool:
    if part.get_content_disposition() == "attachment":
        return False
    return _filename(part, params) is None


def _plain(value: object) -> str:
    if isinstance(value, tuple):
        value = value[2]
    return str(value).strip().lower()


def _text(
    part: Message, body: Body, content_type: str, params: dict[str, str | tuple[str, str, str]]
) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = b""
    label = _plain(params["charset"]) if "charset" in params else None
    if label is None and content_type == "text/html":
        found = _META_CHARSET.search(data[:4096])
        label = found.group(1).decode("ascii") if found else None
    text, codec, defect = charsets.decode_bytes(data, label, hint=body.codec)
    if defect:
        body.defects.append(defect)
    if body.codec is None and codec != "ascii":
        body.codec = codec
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if content_type == "text/plain" and _plain(params.get("format", "")) == "flowed":
        text = unflow(text, delsp=_plain(params.get("delsp", "")) == "yes")
    return text


def unflow(text: str, *, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed: soft line breaks (a trailing space) joined, space
    stuffing removed, quote depth kept."""
    out: list[str] = []
    pending: str | None = None
    pending_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]
        if pending is not None and depth == pending_depth:
            content = pending + content
        elif pending is not None:
            out.append(_quoted(pending, pending_depth))
        pending = None
        if content.endswith(" ") and content != "-- ":
            pending, pending_depth = (content[:-1] if delsp else content), depth
            continue
        out.append(_quoted(content, depth))
    if pending is not None:
        out.append(_quoted(pending, pending_depth))
    return "\n".join(out)


def _quoted(content: str, depth: int) -> str:
    return (">" * depth + " " + content) if depth else content


def _generated(payload: list[Message], body: Body) -> bytes:
    """Bytes of a message/* part (a forwarded mail, DSN fields) written back out."""
    out = io.BytesIO()
    try:
        for inner in payload:
            BytesGenerator(out, mangle_from_=False, policy=_GENERATE).flatten(inner)
    except Exception as exc:  # a mail we cannot write back keeps its parts
        body.defects.append(f"broken_mime: message part {type(exc).__name__}")
    return out.getvalue()


def _attach(
    part: Message, content_type: str, data: bytes, body: Body, max_attachment_bytes: int
) -> None:
    filename = _filename(part) or _derived_name(part, content_type)
    if len(data) > max_attachment_bytes:
        body.defects.append(f"attachment_too_large: {filename} ({len(data)} bytes)")
        return
    content_id = part.get("content-id")
    cid = (str(content_id).strip().strip("<>").strip() or None) if content_id else None
    disposition = part.get_content_disposition()
    is_inline = disposition == "inline" or (disposition is None and cid is not None)
    body.attachments.append(EmailAttachment(filename, content_type, data, cid, is_inline))


def _filename(
    part: Message, params: dict[str, str | tuple[str, str, str]] | None = None
) -> str | None:
    value = _params(part, "content-disposition").get("filename")
    if value is None:
        value = (_params(part, "content-type") if params is None else params).get("name")
    if value is None:
        return None
    if isinstance(value, tuple):
        label, _language, text = value
        try:
            raw = str(text).encode("latin-1", "surrogateescape")
        except UnicodeEncodeError:
            name = str(text)
        else:
            name = charsets.decode_bytes(raw, label or "utf-8")[0]
    else:
        name = charsets.raw_header_text(charsets.unfold(str(value)))[0]
    name = charsets.decode_words(name.strip().strip('"'))
    name = _CONTROL.sub("", _PATH_PART.split(name)[-1]).strip()
    return name[:255] or None


def _derived_name(part: Message, content_type: str) -> str:
    if content_type == "message/rfc822":
        inner = part.get_payload()
        subject = inner[0].get("subject") if isinstance(inner, list) and inner else None
        if subject:
            text = charsets.raw_header_text(charsets.unfold(str(subject)))[0]
            text = _CONTROL.sub("", _PATH_PART.sub("_", charsets.decode_words(text))).strip()
            if text:
                return " ".join(text.split())[:100] + ".eml"
    extension = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ".bin"
    base = _BASE_NAMES.get(content_type) or content_type.split("/")[0]
    return f"{base if base in _BASE_NAMES.values() else _generic(base)}{extension}"


def _generic(maintype: str) -> str:
    return maintype if maintype in ("image", "audio", "video", "text") else "attachment"
