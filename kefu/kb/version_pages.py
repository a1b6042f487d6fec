"""An article's versions: the list, the diff between two, and restore."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.kb import queries, versions
from kefu.kb.articles import can_edit
from kefu.kit.i18n import gettext as _
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render

router = APIRouter()


@router.get("/kb/articles/{article_id:int}/versions", response_class=HTMLResponse)
def versions_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    article_id: int,
    old: int | None = None,
    new: int | None = None,
) -> Response:
    """The versions, newest first, and the diff of two (by default the last two)."""
    article = queries.read_article(session, actor=actor, article_id=article_id)
    kept = versions.list_versions(session, article_id=article_id)
    numbers = [v.number for v in kept]
    if new not in numbers:
        new = numbers[0]
    if old not in numbers:
        old = next((n for n in numbers if n < new), new)
    diff = versions.diff_versions(session, article_id=article_id, old=old, new=new)
    context = {
        "article": article,
        "versions": kept,
        "diff": diff,
        "old": old,
        "new": new,
        "can_restore": can_edit(actor, article),
        "restored_prefix": versions.RESTORED,
    }
    return render(request, "kb/versions.html", context)


@router.post(
    "/kb/articles/{article_id:int}/versions/{number:int}/restore", dependencies=[CsrfProtected]
)
def restore(
    session: DbSession, actor: PageActor, article_id: int, number: int, form: forms.Form
) -> Response:
    queries.read_article(session, actor=actor, article_id=article_id)
    versions.restore_version(session, actor=actor, article_id=article_id, number=number)
    return redirect(
        f"/kb/articles/{article_id}/versions", _("Version %(number)s restored.", number=number)
    )
