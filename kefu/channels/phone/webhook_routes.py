"""The provider's webhooks under /api/phone/twilio/<line key>/<endpoint>.

No API token, session or CSRF token: the provider proves itself with X-Twilio-Signature over
the URL and the form fields, keyed by the line's auth token. A missing or wrong signature is
401 and nothing is stored (the request's unit of work rolls back)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import Response

from kefu.api.routing import NOT_FOUND, problem_response
from kefu.channels.phone import lines, signature, twilio
from kefu.errors import InvalidInput, KefuError, NotFound, TooLarge
from kefu.web.deps import DbSession

# A voice callback is a few dozen short fields; a transcription at most a few KB.
MAX_CALLBACK_BYTES = 64_000

router = APIRouter(tags=["phone"])


class SignatureInvalid(KefuError):
    status = 401
    code = "invalid_signature"


class LineInactive(KefuError):
    status = 410
    code = "line_inactive"


RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    401: problem_response("Missing or wrong X-Twilio-Signature; nothing was stored"),
    410: problem_response("The phone line is switched off in kefu (`line_inactive`)"),
    413: problem_response("The body is over 64 KB (`too_large`)"),
    422: problem_response("A field is malformed, e.g. CallDuration not a number"),
}


async def form_fields(request: Request) -> list[tuple[str, str]]:
    """Every form field as sent, blank ones and repeats included (the signature covers them
    all)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_CALLBACK_BYTES:
        raise TooLarge(f"a phone callback may be at most {MAX_CALLBACK_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CALLBACK_BYTES:
            raise TooLarge(f"a phone callback may be at most {MAX_CALLBACK_BYTES} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and kind != "application/x-www-form-urlencoded":
        raise InvalidInput("a phone callback is a form (application/x-www-form-urlencoded)")
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise InvalidInput("a phone callback must be UTF-8") from exc
    if any("\x00" in name or "\x00" in value for name, value in fields):
        raise InvalidInput("a phone callback's fields may not contain NUL characters")
    return fields


def signed_by_the_sender(endpoint: Any) -> Any:
    """No session, so no CSRF token: the signature stands in for it (tests/web/test_pages.py
    holds every other form route to one)."""
    endpoint.__kefu_signed_by_the_sender__ = True
    return endpoint


Fields = Annotated[list[tuple[str, str]], Depends(form_fields)]


@router.post(
    "/api/phone/twilio/{webhook_key}/{endpoint}",
    responses=RESPONSES,
    response_class=Response,
)
@signed_by_the_sender
def receive_twilio_callback(
    request: Request,
    session: DbSession,
    fields: Fields,
    webhook_key: Annotated[str, Path(min_length=8, max_length=40)],
    endpoint: Annotated[str, Path(max_length=20)],
    x_twilio_signature: Annotated[
        str | None, Header(alias="X-Twilio-Signature", max_length=200)
    ] = None,
) -> Response:
    """A call's voice request (answered with TwiML), its dial result, recording,
    transcription or status callback."""
    if endpoint not in lines.ENDPOINTS:
        raise NotFound(f"unknown phone endpoint {endpoint!r}; use one of {lines.ENDPOINTS}")
    line = lines.line_by_key(session, webhook_key)
    if line is None:
        raise NotFound("no phone line has this webhook address")
    runtime = request.app.state.runtime
    base_url = runtime.settings.base_url
    query = f"?{request.url.query}" if request.url.query else ""
    urls = [f"{base_url.rstrip('/')}{request.url.path}{query}", str(request.url)]
    if not signature.is_valid(lines.auth_token(line), x_twilio_signature, urls, fields):
        raise SignatureInvalid("missing or wrong X-Twilio-Signature; nothing was stored")
    if not line.is_active:
        raise LineInactive(f"the phone line {line.name} is switched off in kefu")
    twiml = twilio.receive(
        session,
        line=line,
        endpoint=endpoint,
        params=dict(fields),
        base_url=base_url,
        now=runtime.clock(),
    )
    return Response(twiml, media_type=twilio.TWIML_TYPE)
