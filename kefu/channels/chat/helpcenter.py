"""Help-center search inside the widget: the published articles of the widget's store."""

from typing import Any

from sqlalchemy.orm import Session

from kefu.channels.chat.models import ChatWidget
from kefu.errors import NotFound
from kefu.kb.helpcenter import public, sites
from kefu.kb.helpcenter.sites import SiteView
from kefu.kit.sanitize import html_to_text

MAX_RESULTS = 5


def site_for(session: Session, widget: ChatWidget) -> SiteView | None:
    """The enabled help center of the widget's store (the default one for a widget without a
    store); None when there is none."""
    try:
        if widget.store_id is None:
            return sites.default_site(session)
        site = sites.get_site(session, widget.store_id)
        if site is None or not site.is_enabled:
            return None
        return sites.public_site(session, slug=site.slug)
    except NotFound:
        return None


def search(
    session: Session, widget: ChatWidget, query: str, *, locale: str, base_url: str
) -> list[dict[str, Any]]:
    site = site_for(session, widget)
    if site is None or not query.strip():
        return []
    wanted = "zh-CN" if locale.startswith("zh") else "en"
    language = wanted if wanted in site.languages else site.languages[0]
    hits = public.search(session, site=site, language=language, query=query, limit=MAX_RESULTS)
    base = base_url.rstrip("/")
    return [
        {
            "title": hit.title,
            "url": f"{base}/help/{site.slug}/{language}/articles/{hit.slug}",
            "snippet": hit.summary or html_to_text(hit.snippet_html)[:300],
        }
        for hit in hits
    ]
