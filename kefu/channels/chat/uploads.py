"""Files in chats: a shopper's uploads before the message that carries them, and the signed
links under which the widget downloads a chat's files (shopper's and agent's alike).

Uploads are limited in size (MAX_UPLOAD_BYTES) and type (images, PDF, plain text, common
office documents); the bytes go to the file store like every ticket attachment. A link is
`/chat/files/<attachment id>/<signature>`: the signature (HMAC of the id with a key derived
from the instance key) is what a visitor holds instead of a session."""

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.channels.chat.models import ChatUpload, ChatVisitor
from kefu.errors import InvalidInput, NotFound, TooLarge
from kefu.kit.filestore import FileStore
from kefu.kit.i18n import gettext as _
from kefu.runtime import instance_key
from kefu.tickets import messages as ticket_messages
from kefu.tickets.files import clean_content_type, clean_filename
from kefu.tickets.schemas import AttachmentIn

MAX_UPLOAD_BYTES = 10_000_000
ALLOWED_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
# What a file starts with, for the types a browser renders: a "PNG" that is HTML is refused.
MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}


def _signing_key(key: str | None) -> bytes:
    return hashlib.sha256(b"kefu chat files v1\0" + instance_key(key).encode("utf-8")).digest()


def file_signature(attachment_id: int, *, key: str | None = None) -> str:
    digest = hmac.new(_signing_key(key), str(attachment_id).encode("ascii"), hashlib.sha256)
    return digest.hexdigest()[:32]


def file_url(attachment_id: int, *, key: str | None = None) -> str:
    return f"/chat/files/{attachment_id}/{file_signature(attachment_id, key=key)}"


def check_signature(attachment_id: int, signature: str, *, key: str | None = None) -> None:
    if not hmac.compare_digest(file_signature(attachment_id, key=key), signature[:64]):
        raise NotFound(_("attachment %(id)s not found", id=attachment_id))


def save_upload(
    session: Session,
    files: FileStore,
    *,
    visitor: ChatVisitor,
    filename: str | None,
    content_type: str | None,
    data: bytes,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> dict[str, Any]:
    """Keep a shopper's file for their next message: {"id", "name", "size", "type"}."""
    if len(data) > max_bytes:
        raise TooLarge(_("the file is larger than the limit of %(limit)s bytes", limit=max_bytes))
    if not data:
        raise InvalidInput(_("the file is empty"))
    kind = clean_content_type(content_type)
    if kind not in ALLOWED_TYPES:
        raise InvalidInput(_("files of type %(type)s cannot be sent in a chat", type=kind))
    if kind in MAGIC and not data.startswith(MAGIC[kind]):
        raise InvalidInput(_("the file's content is not a %(type)s file", type=kind))
    stored = files.put(data)
    upload = ChatUpload(
        visitor_id=visitor.id,
        token=secrets.token_urlsafe(18),
        filename=clean_filename(filename),
        content_type=kind,
        size=stored.size,
        sha256=stored.sha256,
    )
    session.add(upload)
    session.flush()
    return {"id": upload.token, "name": upload.filename, "size": upload.size, "type": kind}


def pending_uploads(
    session: Session, *, visitor: ChatVisitor, tokens: list[str]
) -> list[ChatUpload]:
    """The visitor's own uploads named by a message, in the order named."""
    if not tokens:
        return []
    wanted = [str(t)[:64] for t in tokens]
    found = {
        u.token: u
        for u in session.scalars(
            select(ChatUpload).where(
                ChatUpload.token.in_(wanted), ChatUpload.visitor_id == visitor.id
            )
        )
    }
    missing = [t for t in wanted if t not in found]
    if missing:
        raise InvalidInput(_("an attached file was not uploaded: upload it again"))
    return [found[t] for t in dict.fromkeys(wanted)]


def attachment_in(upload: ChatUpload) -> AttachmentIn:
    return AttachmentIn(
        filename=upload.filename,
        content_type=upload.content_type,
        sha256=upload.sha256,
        size=upload.size,
    )


def mark_sent(session: Session, uploads: list[ChatUpload], *, message_id: int) -> None:
    """An upload rides on one message; once sent it is the message's attachment."""
    for upload in uploads:
        session.delete(upload)
    if uploads:
        session.flush()


def attachment_links(
    session: Session, message_id: int, *, key: str | None = None
) -> list[dict[str, Any]]:
    """A ticket message's files as chat entries carry them."""
    found = ticket_messages.attachments_of(session, [message_id]).get(message_id, [])
    return [
        {
            "id": a.id,
            "name": a.filename,
            "size": a.size,
            "type": a.content_type,
            "url": file_url(a.id, key=key),
        }
        for a in found
        if not a.is_inline
    ]
