"""Ingest JSON API under /api/v1: a channel outside kefu hands over a customer's message."""

from fastapi import Request, Response, status

from kefu.api.routing import NOT_FOUND, api_router
from kefu.ingest.schemas import InboundMessage, IngestResult
from kefu.ingest.service import ingest
from kefu.tickets.files import require_uploaded
from kefu.web.deps import ApiActor, DbSession

router = api_router("ingest")


@router.post(
    "/inbound-messages",
    response_model=IngestResult,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {
            "model": IngestResult,
            "description": "Seen before (same channel and source_id): the first copy's ids",
        },
        **NOT_FOUND,
    },
)
def receive_inbound_message(
    data: InboundMessage, request: Request, response: Response, session: DbSession, actor: ApiActor
) -> IngestResult:
    """Store a customer's message as if it came in on `channel`: the sender is identified (or
    created), the message threads into its ticket or opens one. Idempotent on (channel,
    source_id): sending it again answers 200 with the first copy."""
    require_uploaded(request.app.state.runtime.files, data.attachments)
    result = ingest(session, message=data, actor=actor)
    if result.is_duplicate:
        response.status_code = status.HTTP_200_OK
    return result
