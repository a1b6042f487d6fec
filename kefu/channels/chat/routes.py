"""The widget's HTTP side: its config, help-center search, uploads and chat files.

Called cross-origin from the store's pages: `ChatCors` answers preflights and adds the CORS
headers; each route then checks the Origin against the widget's allowed origins (403)."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Query, Request, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kefu.channels.chat import helpcenter, uploads, visitors, widgets
from kefu.channels.chat.models import ChatWidget
from kefu.errors import PermissionDenied
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.tickets import messages as ticket_messages
from kefu.tickets.files import download_headers
from kefu.web.deps import DbSession

router = APIRouter(include_in_schema=False)

CORS_PATHS = ("/chat/widget/", "/chat/upload", "/chat/files/")

WidgetKey = Annotated[str, Query(alias="widget", min_length=1, max_length=64)]


class ChatCors:
    """CORS for the widget's HTTP routes: the request's Origin is echoed (the routes check it
    against the widget), so the widget can read answers and errors; preflights end here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CORS_PATHS):
            await self.app(scope, receive, send)
            return
        origin = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"origin"), None)
        if origin is None:
            await self.app(scope, receive, send)
            return
        cors = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"vary", b"Origin"),
        ]
        if scope["method"] == "OPTIONS":
            headers = [
                *cors,
                (b"access-control-allow-methods", b"GET, POST"),
                (b"access-control-allow-headers", b"X-Kefu-Visitor, Content-Type"),
                (b"access-control-max-age", b"600"),
                (b"content-length", b"0"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *cors]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _widget(request: Request, session: Any, key: str) -> ChatWidget:
    widget = widgets.widget_by_key(session, key)
    if not widgets.origin_allowed(widget, request.headers.get("origin")):
        origin = request.headers.get("origin") or "?"
        raise PermissionDenied(_("this widget is not allowed on %(origin)s", origin=origin))
    return widget


@router.get("/chat/widget/config")
def widget_config(
    request: Request, session: DbSession, widget: WidgetKey, locale: str = "en"
) -> dict[str, Any]:
    found = _widget(request, session, widget)
    runtime = request.app.state.runtime
    config = widgets.widget_config(session, found, locale=locale[:10], now=runtime.clock())
    if helpcenter.site_for(session, found) is not None:
        base = runtime.settings.base_url.rstrip("/")
        config["helpcenter_search_url"] = f"{base}/chat/widget/search?widget={found.public_key}"
    return config


@router.get("/chat/widget/search")
def widget_search(
    request: Request,
    session: DbSession,
    widget: WidgetKey,
    q: Annotated[str, Query(max_length=300)] = "",
    locale: str = "en",
) -> dict[str, Any]:
    found = _widget(request, session, widget)
    base = request.app.state.runtime.settings.base_url
    return {"results": helpcenter.search(session, found, q, locale=locale[:10], base_url=base)}


@router.post("/chat/upload", status_code=status.HTTP_201_CREATED)
def upload(
    request: Request,
    session: DbSession,
    widget: WidgetKey,
    file: Annotated[UploadFile, File()],
    visitor: Annotated[str, Header(alias="X-Kefu-Visitor", max_length=200)],
) -> JSONResponse:
    """A shopper's file, kept for their next message (the `id` goes in its attachments)."""
    runtime = request.app.state.runtime
    found = _widget(request, session, widget)
    who = visitors.visitor_by_token(session, found, visitor)
    saved = uploads.save_upload(
        session,
        runtime.files,
        visitor=who,
        filename=file.filename,
        content_type=file.content_type,
        data=file.file.read(uploads.MAX_UPLOAD_BYTES + 1),
    )
    return JSONResponse({**saved, "url": None}, status_code=status.HTTP_201_CREATED)


# No cookie session, so no CSRF: the visitor's token in a header (which needs a preflight).
upload.__kefu_visitor_token__ = True  # type: ignore[attr-defined]


@router.get("/chat/files/{attachment_id}/{signature}")
def chat_file(
    request: Request, session: DbSession, attachment_id: int, signature: str
) -> FileResponse:
    """A chat file under its signed link (what entries' attachments point at)."""
    uploads.check_signature(attachment_id, signature)
    attachment = ticket_messages.get_attachment(
        session, actor=Actor.system(), attachment_id=attachment_id
    )
    path = request.app.state.runtime.files.path(attachment.sha256)
    return FileResponse(
        path, media_type=attachment.content_type, headers=download_headers(attachment)
    )
