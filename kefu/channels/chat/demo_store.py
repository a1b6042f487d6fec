"""The demo store: a pretend shop page that embeds the chat widget with its one script tag,
served at /chat/demo-store for `kefu serve --demo` and written to a folder by the browser
tests, which serve it from another origin like a real store."""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup

from kefu.kit import i18n
from kefu.kit.i18n import N_

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
