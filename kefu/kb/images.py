"""Images in articles: uploaded once, kept in the file store under their SHA-256 like
attachments, and served to anyone who reads an article (the hash is the address)."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.errors import InvalidInput, NotFound, PermissionDenied, TooLarge
from kefu.kb.models import KbImage
from kefu.kit.actor import Actor
from kefu.kit.filestore import FileStore
from kefu.permissions import can

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# the first bytes of each image type we accept (never trust the browser's content type)
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def image_type(data: bytes) -> str | None:
    for signature, content_type in SIGNATURES.items():
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def upload_image(
    session: Session, files: FileStore, *, actor: Actor, filename: str, data: bytes
) -> KbImage:
    """Store a PNG, JPEG, GIF or WebP image (SVG is refused: it can carry scripts); the same
    bytes uploaded twice are one image."""
    if not (can(actor, "kb.write") or can(actor, "kb.manage")):
        raise PermissionDenied("your role does not allow this (kb.write)")
    if len(data) > MAX_IMAGE_BYTES:
        raise TooLarge("the image is larger than 5 MB")
    content_type = image_type(data)
    if content_type is None:
        raise InvalidInput("upload a PNG, JPEG, GIF or WebP image")
    stored = files.put(data)
    image = session.scalars(select(KbImage).where(KbImage.sha256 == stored.sha256)).first()
    if image is None:
        image = KbImage(
            sha256=stored.sha256,
            filename=Path(filename or "image").name[:255],
            content_type=content_type,
            size=stored.size,
            uploaded_by_id=actor.agent_id,
        )
        session.add(image)
        session.flush()
    return image


def image_file(session: Session, files: FileStore, *, sha256: str) -> tuple[KbImage, Path]:
    image = session.scalars(select(KbImage).where(KbImage.sha256 == sha256)).first()
    if image is None:
        raise NotFound("no such image")
    path = files.path(image.sha256)
    if not path.exists():
        raise NotFound("no such image")
    return image, path


def image_url(image: KbImage) -> str:
    return f"/kb/images/{image.sha256}"


def image_markdown(image: KbImage) -> str:
    alt = Path(image.filename).stem.replace("]", "").replace("[", "")
    return f"![{alt}]({image_url(image)})"
