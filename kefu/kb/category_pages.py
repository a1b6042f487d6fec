"""The knowledge base's categories and sections at /admin/kb/categories (managers): add,
rename, reorder and delete them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from kefu.commerce import stores
from kefu.errors import KefuError
from kefu.kb import categories
from kefu.kb.schemas import LANGUAGES
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render

router = APIRouter()
PAGE = "/admin/kb/categories"


@router.get(PAGE, response_class=HTMLResponse)
def categories_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "kb.manage")
    everything = categories.all_categories(session)
    language = language_for(request)
    context = {
        "tops": [c for c in everything if c.parent_id is None],
        "sections": {
            top.id: [c for c in everything if c.parent_id == top.id]
            for top in everything
            if top.parent_id is None
        },
        "name": lambda c: categories.name_in(c.names, language),
        "stores": {s.id: s.name for s in stores.list_stores(session)},
        "languages": LANGUAGES,
    }
    return render(request, "kb/categories.html", context)


def _names(form: FormData, prefix: str) -> dict[str, str]:
    return {lang: forms.text(form, f"{prefix}_{lang}") for lang in LANGUAGES}


@router.post(PAGE, dependencies=[CsrfProtected])
def create(session: DbSession, actor: PageActor, form: forms.Form) -> Response:
    try:
        with session.begin_nested():
            categories.create_category(
                session,
                actor=actor,
                names=_names(form, "name"),
                descriptions=_names(form, "description"),
                store_id=forms.optional_int(form, "store_id"),
                parent_id=forms.optional_int(form, "parent_id"),
            )
    except KefuError as exc:
        return redirect(PAGE, exc.message, "error")
    return redirect(PAGE, _("Category saved."))


@router.post(PAGE + "/{category_id:int}", dependencies=[CsrfProtected])
def change(session: DbSession, actor: PageActor, category_id: int, form: forms.Form) -> Response:
    action = forms.text(form, "action")
    try:
        with session.begin_nested():
            if action in ("up", "down"):
                categories.move_category(
                    session, actor=actor, category_id=category_id, direction=action
                )
            elif action == "delete":
                categories.delete_category(session, actor=actor, category_id=category_id)
            else:
                categories.update_category(
                    session,
                    actor=actor,
                    category_id=category_id,
                    names=_names(form, "name"),
                    slug=forms.text(form, "slug"),
                )
    except KefuError as exc:
        return redirect(PAGE, exc.message, "error")
    return redirect(PAGE, _("Category deleted.") if action == "delete" else _("Category saved."))
