"""The demo store: a pretend shop page that embeds the chat widget with its one script tag,
served at /chat/demo-store for `kefu serve --demo` and written to a folder by the browser
tests, which serve it from another origin like a real store."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from markupsafe import Markup

from kefu.channels.chat import widgets
from kefu.errors import NotFound
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.web.deps import DbSession
from kefu.web.templating import language_for

router = APIRouter()
DEMO_WIDGET_NAME = "Lumen Outfitters chat"

PRODUCTS = (
    ("TEA-JAS-100", N_("Jasmine green tea, 100 g"), "$12.00"),
    ("TEA-OOL-100", N_("Tieguanyin oolong, 100 g"), "$18.50"),
    ("POT-GLS-600", N_("Glass teapot, 600 ml"), "$29.00"),
)


def embed_snippet(
    kefu_url: str, widget_key: str, *, identity: str | None = None, locale: str | None = None
) -> Markup:
    """The one tag a store adds to its pages (docs/chat-widget.md)."""
    attributes = [
        ("src", kefu_url.rstrip("/") + "/chat/widget.js"),
        ("data-widget", widget_key),
        ("data-identity", identity),
        ("data-locale", locale),
    ]
    pair = Markup('{}="{}"')
    shown = Markup(" ").join(pair.format(name, value) for name, value in attributes if value)
    return Markup("<script {} async></script>").format(shown)


def demo_store_html(
    env: Environment,
    *,
    kefu_url: str,
    widget_key: str,
    language: str = "en",
    identity: str | None = None,
) -> str:
    """The demo store page in `language` ("en" or "zh_Hans"); the widget follows it."""
    i18n.current_language.set(language)
    locale = "zh" if language.startswith("zh") else None
    snippet = embed_snippet(kefu_url, widget_key, identity=identity, locale=locale)
    return env.get_template("chat/demo_store.html").render(
        html_lang="zh-Hans" if locale else "en",
        products=[(sku, i18n.gettext(name), price) for sku, name, price in PRODUCTS],
        cart_label=i18n.gettext("Items in cart: %(count)s", count="%d"),
        snippet=snippet,
        snippet_text=str(snippet),
    )


@router.get("/chat/demo-store", response_class=HTMLResponse, include_in_schema=False)
def demo_store(request: Request, session: DbSession) -> HTMLResponse:
    """The demo store with the demo widget (made by `kefu demo` / `kefu serve --demo`)."""
    found = [
        w
        for w in widgets.list_widgets(session, actor=Actor.system())
        if w.name == DEMO_WIDGET_NAME and w.is_active
    ]
    if not found:
        raise NotFound(i18n.gettext("there is no demo chat widget: start kefu with --demo"))
    html = demo_store_html(
        request.app.state.templates.env,
        kefu_url=str(request.base_url),
        widget_key=found[0].public_key,
        language=language_for(request),
    )
    return HTMLResponse(html)
