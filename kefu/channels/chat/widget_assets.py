"""The chat widget as stores load it: /chat/widget.js, its parts joined once per process (no
build step), gzipped when the browser takes it, with an ETag so a returning shopper
revalidates instead of downloading it again."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

router = APIRouter()
STATIC_DIR = Path(__file__).resolve().parent / "static"
# In this order: words, connection, screens, start-up (which uses the three before it).
PARTS = ("widget-i18n.js", "widget-link.js", "widget-ui.js", "widget-main.js")
STYLES = "widget.css"
CACHE_CONTROL = "public, max-age=300"
HEADER = """/* kefu chat widget, AGPL-3.0-or-later.
 * Embed: <script src="https://YOUR-KEFU/chat/widget.js" data-widget="KEY" async></script> */
"""


@functools.cache
def widget_source() -> bytes:
    """The whole widget: one closure holding its styles and parts, so it leaves no globals on
    the store's page but window.KefuChat."""
    styles = (STATIC_DIR / STYLES).read_text(encoding="utf-8")
    parts = "\n".join((STATIC_DIR / name).read_text(encoding="utf-8") for name in PARTS)
    text = f'{HEADER}(function () {{\n  "use strict";\n  var STYLES = {json.dumps(styles)};\n'
    return (text + parts + "})();\n").encode("utf-8")


@functools.cache
def widget_gzip() -> bytes:
    return gzip.compress(widget_source(), compresslevel=9, mtime=0)


@functools.cache
def widget_etag() -> str:
    return '"' + hashlib.sha256(widget_source()).hexdigest()[:20] + '"'


@router.get("/chat/widget.js", include_in_schema=False)
def widget_js(request: Request) -> Response:
    headers = {
        "Cache-Control": CACHE_CONTROL,
        "ETag": widget_etag(),
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        # Loaded by <script> from any store: allowed to be read cross-origin.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if widget_etag() in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    media_type = "text/javascript; charset=utf-8"
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(widget_gzip(), media_type=media_type, headers=headers)
    return Response(widget_source(), media_type=media_type, headers=headers)
