"""The route class of every /api/v1 router: Idempotency-Key on each POST, text the databases
cannot store refused up front, problem responses documented, operation ids from names."""

import hashlib
import json
import math
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from kefu.api import idempotency
from kefu.api.models import IdempotencyKey
from kefu.errors import InvalidInput
from kefu.web.deps import ApiActor, DbSession

IDEMPOTENCY_HEADER = "Idempotency-Key"
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/ProblemDetails"}


def problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
    }


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: problem_response("No API token, or a revoked one (`not_authenticated`, `invalid_token`)"),
    403: problem_response("The token's role does not allow this (`permission_denied`)"),
    422: problem_response("The input does not validate; nothing was written (`invalid_input`)"),
}
NOT_FOUND = {404: problem_response("No such record (`not_found`)")}
CONFLICT = {409: problem_response("The record's state does not allow this (`conflict`)")}
TOO_LARGE = {413: problem_response("The upload is over the size limit (`too_large`)")}
BAD_MULTIPART = {400: problem_response("The multipart body cannot be read (`bad_request`)")}
POST_RESPONSES = {
    409: problem_response(
        "The record's state does not allow this (`conflict`), or a request with the same "
        "Idempotency-Key is still running (`idempotency_key_in_use`)"
    ),
    413: problem_response("The request body is over the size limit (`too_large`)"),
}


class Replay(Exception):
    """Raised by the idempotency dependency: answer with the stored response, run nothing."""

    def __init__(self, stored: idempotency.StoredResponse) -> None:
        super().__init__("idempotent replay")
        self.stored = stored

    def response(self) -> Response:
        body = b"" if self.stored.body is None else json.dumps(self.stored.body).encode()
        return Response(
            body,
            status_code=self.stored.status_code,
            media_type="application/json" if self.stored.body is not None else None,
            headers={"Idempotent-Replayed": "true"},
        )


@dataclass
class Claim:
    """A key reserved for the running request; its response is recorded before commit."""

    session: Session
    row: IdempotencyKey

    def record(self, response: Response) -> None:
        raw = getattr(response, "body", b"")
        is_json = (response.media_type or "").endswith("json")
        body = json.loads(raw) if raw and is_json else None
        idempotency.record(self.session, self.row, status_code=response.status_code, body=body)


async def request_fingerprint(request: Request) -> str:
    """What makes two requests "the same": method, path, query and the body's content (JSON
    compared by value, uploads by their files' hashes, since multipart boundaries differ)."""
    if IDEMPOTENCY_HEADER.lower() not in request.headers:
        return ""
    digest = hashlib.sha256(f"{request.method} {request.url.path}?{request.url.query}\n".encode())
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        parts: list[list[Any]] = []
        for name, value in (await request.form()).multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                await value.seek(0)
                parts.append([name, value.filename, value.content_type, _sha256(data)])
            else:
                parts.append([name, value])
        digest.update(json.dumps(sorted(parts, key=lambda part: part[0])).encode())
        return digest.hexdigest()
    raw = await request.body()
    try:
        digest.update(json.dumps(json.loads(raw), sort_keys=True).encode())
    except (ValueError, RecursionError):
        digest.update(raw)
    return digest.hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def idempotency_key(
    request: Request,
    session: DbSession,
    actor: ApiActor,
    fingerprint: Annotated[str, Depends(request_fingerprint)],
    key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            max_length=300,
            description="Any unique string (a UUID) per intended action, up to 255 printable "
            "ASCII characters. A retry with the same key and body gets the first response "
            "again (`Idempotent-Replayed: true`) instead of acting twice; keys last 24 hours.",
        ),
    ] = None,
) -> None:
    if key is None:
        return
    result = idempotency.claim(
        session,
        actor_ref=actor.ref,
        key=idempotency.parse_key(key),
        method=request.method,
        path=request.url.path,
        request_hash=fingerprint,
        now=request.app.state.runtime.clock(),
    )
    if isinstance(result, idempotency.StoredResponse):
        raise Replay(result)
    request.state.idempotency = Claim(session, result)


_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(values: list[Any]) -> str | None:
    """Why a value cannot be stored: NUL characters (PostgreSQL text), unpaired surrogates
    (not UTF-8) or NaN/Infinity (JSON columns). Walks without recursion: input is untrusted."""
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "text must not contain NUL (\\u0000) characters"
            if _SURROGATE.search(value):
                return "text must be valid Unicode (an unpaired surrogate was sent)"
        elif isinstance(value, float) and not math.isfinite(value):
            return "numbers must be finite (NaN and Infinity are not JSON)"
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


async def refuse_unstorable_input(request: Request) -> None:
    values: list[Any] = [*request.query_params.keys(), *request.query_params.values()]
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            values.append(await request.json())
        except json.JSONDecodeError:
            pass  # FastAPI reports it, with the position of the mistake
        except UnicodeDecodeError:
            raise InvalidInput("the body is not JSON: it is not UTF-8 text") from None
        except RecursionError:
            raise InvalidInput("the body's JSON is nested too deeply") from None
        except ValueError as exc:
            raise InvalidInput(f"the body is not JSON: {exc}") from None
    reason = unstorable(values)
    if reason is not None:
        raise InvalidInput(reason)


def answers_a_secret(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a POST whose answer holds a secret (a new API token): kefu does not keep secrets,
    so its response is never stored for replay and it takes no Idempotency-Key."""
    endpoint.__kefu_answers_a_secret__ = True  # type: ignore[attr-defined]
    return endpoint


class ApiRoute(APIRoute):
    """An API route; POST routes take an Idempotency-Key."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {method.upper() for method in kwargs.get("methods") or ()}
        if "POST" in methods and not getattr(endpoint, "__kefu_answers_a_secret__", False):
            dependencies = list(kwargs.get("dependencies") or [])
            if not any(d.dependency is idempotency_key for d in dependencies):
                dependencies.append(Depends(idempotency_key))
            kwargs["dependencies"] = dependencies
            kwargs["responses"] = {**POST_RESPONSES, **(kwargs.get("responses") or {})}
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            await refuse_unstorable_input(request)
            try:
                response = await handler(request)
            except Replay as replay:
                return replay.response()
            claim = getattr(request.state, "idempotency", None)
            if claim is not None:
                # Still inside the request's unit of work: the key commits with the effect.
                await run_in_threadpool(claim.record, response)
            return response

        return handle


def operation_id(route: APIRoute) -> str:
    """`create_ticket`, `list_customers`: what a generated client names its methods."""
    return route.name


def api_router(tag: str | None = None) -> APIRouter:
    """A router for /api/v1; `tag` groups its operations (a generated client's class), or each
    route names its own."""
    return APIRouter(
        tags=[tag] if tag else [],
        route_class=ApiRoute,
        responses=COMMON_RESPONSES,
        generate_unique_id_function=operation_id,
    )
