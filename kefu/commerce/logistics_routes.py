"""Carriers' tracking webhooks under /api/v1: signed with the carrier's secret, no token."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request

from kefu.api.routing import problem_response
from kefu.commerce.tracking_feed import SIGNATURE_HEADER, receive_carrier_webhook
from kefu.web.deps import DbSession

router = APIRouter(tags=["logistics"])


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent: the signature is over these bytes, not over parsed JSON."""
    return await request.body()


@router.post(
    "/webhooks/carriers/{code}",
    responses={
        401: problem_response("The signature is missing or wrong; nothing was stored"),
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
