"""The help center tells the kb where a public article lives, so the composer's "Insert link"
and the kb's pages point customers at the brand's help center."""

from kefu.kb.helpcenter.hosts import kept_directory
from kefu.kb.helpcenter.schemas import LANGUAGES
from kefu.kb.links import register_public_url


def public_url(store_id: int | None, language: str, slug: str) -> str | None:
    """/help/<brand>/<lang>/articles/<slug> of the article's brand (the default help center
    for an all-brand article); None when that brand has no public help center in the
    article's language. Reads the directory kept by the request's middleware."""
    from kefu.runtime import current

    code = next((url for url, kb_code in LANGUAGES.items() if kb_code == language), None)
    if code is None:
        return None
    try:
        directory = kept_directory(current().database)
    except RuntimeError:
        return None
    site = directory.brands.get(store_id) if directory is not None else None
    if site is None or code not in site[1]:
        return None
    return f"/help/{site[0]}/{code}/articles/{slug}"


register_public_url(public_url)
