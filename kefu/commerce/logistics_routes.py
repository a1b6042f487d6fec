"""Carriers' tracking webhooks under /api/v1/webhooks: no API token, session or CSRF token;
the carrier proves itself with the HMAC signature of the raw body (its webhook secret)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request

from kefu.api.routing import problem_response
from kefu.commerce.tracking_feed import SIGNATURE_HEADER, receive_carrier_webhook
from kefu.errors import TooLarge
from kefu.web.deps import DbSession

router = APIRouter(tags=["webhooks"])
MAX_WEBHOOK_BYTES = 5_000_000  # a thousand scans fit in a fraction of it


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent (the signature covers these bytes), at most 5 MB."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise TooLarge(f"a webhook body may be at most {MAX_WEBHOOK_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:
            raise TooLarge(f"a webhook body may be at most {MAX_WEBHOOK_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/webhooks/carriers/{code}",
    responses={
        401: problem_response("Missing or wrong signature; nothing was stored"),
        413: problem_response("The body is over 5 MB (`too_large`)"),
        404: problem_response("No active carrier with this code"),
        422: problem_response("A scan is malformed; nothing was stored"),
    },
)
def receive_carrier_scans(
    code: str,
    body: Annotated[bytes, Depends(raw_body)],
    session: DbSession,
    signature: Annotated[
        str | None,
        Header(
            alias=SIGNATURE_HEADER,
            description="Hex HMAC-SHA256 of the raw body with the carrier's webhook secret",
        ),
    ] = None,
) -> dict[str, Any]:
    """Tracking scans from a carrier: one JSON object {tracking_number, status, happened_at,
    description, location} or a list of them. Status words may be the carrier's own, in
    English or Chinese (已签收, 派送中…). Scans seen before are counted as duplicates."""
    result = receive_carrier_webhook(session, code=code, body=body, signature=signature)
    return result.as_dict()


# Signed by the sender, so no CSRF token (tests/web/test_pages.py lists every such route).
receive_carrier_scans.__kefu_signed_by_the_sender__ = True  # type: ignore[attr-defined]
