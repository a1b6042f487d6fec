"""Turns every refusal into the right answer: problem+json for the API, a page for people."""

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kefu.errors import KefuError, Throttled, describe_validation
from kefu.web.deps import SignInRequired
from kefu.web.templating import render

log = logging.getLogger(__name__)


# Called by scripts, not people: refusals are problem+json (the chat widget's HTTP routes too).
JSON_PREFIXES = ("/api/", "/chat/widget/", "/chat/upload", "/chat/files/")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(JSON_PREFIXES)


def problem(status: int, code: str, detail: str, **extra: object) -> JSONResponse:
    body = {
        "type": f"about:blank#{code}",
        "title": code.replace("_", " "),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", {"status": status, "message": message}, status=status)


async def kefu_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KefuError)
    if isinstance(exc, SignInRequired) and not _is_api(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    headers = {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    response = (
        problem(exc.status, exc.code, exc.message)
        if _is_api(request)
        else _error_page(request, exc.status, exc.message)
    )
    response.headers.update(headers)
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    detail = describe_validation(errors)
    if _is_api(request):
        return problem(422, "invalid_input", detail, errors=errors)
    return _error_page(request, 422, detail)


HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def _http_detail(request: Request, exc: StarletteHTTPException) -> str:
    limit = getattr(request.app.state, "max_body_bytes", None)
    if exc.status_code == 413 and limit:
        return f"the request body is larger than the limit of {limit} bytes"
    if exc.status_code == 404:
        return f"no such address: {request.method} {request.url.path}"
    return str(exc.detail)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (unknown path, wrong method, body over the size limit)."""
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        code = HTTP_CODES.get(exc.status_code, "http_error")
        response = problem(exc.status_code, code, _http_detail(request, exc))
        response.headers.update(exc.headers or {})
        return response
    return _error_page(request, exc.status_code, str(exc.detail))


async def database_error(request: Request, exc: Exception) -> Response:
    """The database failed (down, or the commit was refused): nothing was saved; say so."""
    log.error("database error on %s %s: %s", request.method, request.url.path, exc)
    message = "The database is not available right now; nothing was saved. Try again shortly."
    if _is_api(request):
        return problem(503, "database_unavailable", message)
    return _error_page(request, 503, message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OperationalError, database_error)
    app.add_exception_handler(KefuError, kefu_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
