"""Attachment files through the API: uploads into the file store, the check that a message names
only files that were uploaded, downloads with headers a browser cannot be tricked by."""

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.orm import Session

from kefu.errors import InvalidInput, NotFound, TooLarge
from kefu.kit.actor import Actor
from kefu.kit.filestore import FileStore
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.tickets.messages import get_attachment
from kefu.tickets.models import Attachment, Message
from kefu.tickets.schemas import AttachmentIn
from kefu.tickets.service import read_ticket

FALLBACK_TYPE = "application/octet-stream"
# Shown in the browser; anything else downloads, so no uploaded HTML or SVG runs on our origin.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")


def clean_content_type(raw: str | None) -> str:
    """A plain `type/subtype`, or application/octet-stream for anything odd."""
    value = (raw or "").split(";")[0].strip().lower()
    return value if _MEDIA_TYPE.fullmatch(value) else FALLBACK_TYPE


def clean_filename(raw: str | None) -> str:
    """The last path segment, printable characters only, at most 255."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF)
    name = name.strip().lstrip(".")[:255].strip()
    return name or "attachment"


def store_upload(
    files: FileStore,
    *,
    actor: Actor,
    filename: str | None,
    content_type: str | None,
    data: bytes,
    max_bytes: int,
) -> AttachmentIn:
    """Keep the bytes (content-addressed: the same file twice is stored once) and hand back what
    a message names them by."""
    require(actor, "tickets.note")
    if len(data) > max_bytes:
        raise TooLarge(_("the file is larger than the limit of %(limit)s bytes", limit=max_bytes))
    stored = files.put(data)
    return AttachmentIn(
        filename=clean_filename(filename),
        content_type=clean_content_type(content_type),
        sha256=stored.sha256,
        size=stored.size,
    )


def require_uploaded(files: FileStore, attachments: list[AttachmentIn]) -> None:
    """Each attachment must name a stored file of that size, so no message points at bytes
    that are not there."""
    for item in attachments:
        if not files.exists(item.sha256) or files.path(item.sha256).stat().st_size != item.size:
            raise InvalidInput(
                _(
                    "attachment “%(name)s” was not uploaded: POST the file to "
                    "/api/v1/attachments and send back what it returns",
                    name=item.filename,
                )
            )


def attachment_file(
    session: Session, files: FileStore, *, actor: Actor, attachment_id: int
) -> tuple[Attachment, Path]:
    """An attachment and its file, if the actor may read its ticket (deleted tickets' files
    only for those who see deleted tickets)."""
    attachment = get_attachment(session, actor=actor, attachment_id=attachment_id)
    message = session.get(Message, attachment.message_id)
    if message is None:
        raise NotFound(_("attachment %(id)s not found", id=attachment_id))
    read_ticket(session, actor=actor, ticket_id=message.ticket_id)
    path = files.path(attachment.sha256)
    if not path.is_file():
        raise NotFound(
            _("the file of attachment %(id)s is missing from the file store", id=attachment_id)
        )
    return attachment, path


def download_headers(attachment: Attachment) -> dict[str, str]:
    """Content-Disposition with an ASCII fallback and the RFC 5987 UTF-8 name, no sniffing."""
    content_type = clean_content_type(attachment.content_type)
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    name = clean_filename(attachment.filename)
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in name)
    return {
        "Content-Disposition": (
            f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, max-age=3600",
    }
