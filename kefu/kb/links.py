"""Where an article can be read: the help center registers how its public URLs look (the kb
cannot import it), the agents' page is the fallback and the address of internal articles."""

from collections.abc import Callable

from kefu.kb.models import KbArticle

PublicUrl = Callable[[int | None, str, str], str | None]  # (store_id, language, slug) -> path
_public_url: list[PublicUrl] = []


def register_public_url(builder: PublicUrl) -> None:
    """The help center's URL of a public article (None when the brand has no site)."""
    _public_url[:] = [builder]


def agent_url(article_id: int) -> str:
    return f"/kb/articles/{article_id}"


def article_url(article: KbArticle) -> str:
    """The help center's page of a published public article, else the agents' page."""
    if article.state == "published" and article.visibility == "public" and _public_url:
        found = _public_url[0](article.store_id, article.language, article.slug)
        if found:
            return found
    return agent_url(article.id)
