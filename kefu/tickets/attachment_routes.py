"""Attachments JSON API under /api/v1: upload a file before the message that carries it, and
download a message's files."""

from typing import Annotated

from fastapi import File, Request, Response, UploadFile, status
from fastapi.responses import FileResponse

from kefu.api.params import AttachmentId
from kefu.api.routing import BAD_MULTIPART, NOT_FOUND, TOO_LARGE, api_router
from kefu.tickets import files
from kefu.tickets.schemas import AttachmentIn
from kefu.web.deps import ApiActor, DbSession

router = api_router("attachments")

FILE_RESPONSE = {
    200: {
        "description": "The file's bytes, with its media type and a Content-Disposition",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/attachments",
    response_model=AttachmentIn,
    status_code=status.HTTP_201_CREATED,
    responses={**TOO_LARGE, **BAD_MULTIPART},
)
def upload_attachment(
    file: Annotated[UploadFile, File(description="the file, as multipart/form-data")],
    request: Request,
    actor: ApiActor,
) -> AttachmentIn:
    """Store a file; send what this returns in a message's `attachments`. Over the size limit
    (KEFU_MAX_ATTACHMENT_BYTES) it is a 413."""
    runtime = request.app.state.runtime
    limit = runtime.settings.max_attachment_bytes
    return files.store_upload(
        runtime.files,
        actor=actor,
        filename=file.filename,
        content_type=file.content_type,
        data=file.file.read(limit + 1),
        max_bytes=limit,
    )


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={**FILE_RESPONSE, **NOT_FOUND},
)
def download_attachment(
    attachment_id: AttachmentId, request: Request, session: DbSession, actor: ApiActor
) -> FileResponse:
    attachment, path = files.attachment_file(
        session, request.app.state.runtime.files, actor=actor, attachment_id=attachment_id
    )
    return FileResponse(
        path,
        media_type=files.clean_content_type(attachment.content_type),
        headers=files.download_headers(attachment),
    )
