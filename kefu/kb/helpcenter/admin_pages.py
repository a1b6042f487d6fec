"""Managers' pages: each brand's help-center settings (Settings → Channels) and the "Help
center activity" report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.commerce import stores
from kefu.errors import InvalidInput, KefuError, refusal_message
from kefu.kb.helpcenter import public, report, sites, votes
from kefu.kb.helpcenter.hosts import forget_hosts
from kefu.kb.helpcenter.schemas import LANGUAGE_LABELS, SiteIn
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import require
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render

router = APIRouter()
HOME = "/admin/helpcenter"
PERIODS = (7, 30, 90)


def _start(request: Request, actor: Actor, permission: str = sites.MANAGE) -> None:
    i18n.current_language.set(language_for(request))
    require(actor, permission)


@router.get(HOME, response_class=HTMLResponse)
def sites_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    _start(request, actor)
    configured = sites.list_sites(session)
    rows = [(store, configured.get(store.id)) for store in stores.list_stores(session)]
    return render(request, "helpcenter/admin/sites.html", {"rows": rows})


def _values(site: Any, store: Any) -> dict[str, Any]:
    if site is None:
        slug = "".join(c if c.isalnum() else "-" for c in store.name.lower()).strip("-")
        return {"slug": slug[:60] or f"brand-{store.id}", "title": "", "host": "",
                "is_enabled": True, "is_default": False, "languages": ["en", "zh-CN"],
                "primary_color": "#2563eb", "has_contact_form": True}  # fmt: skip
    return {name: getattr(site, name) for name in SiteIn.model_fields} | {"host": site.host or ""}


def _form(
    request: Request, session: Session, store_id: int, values: dict[str, Any],
    error: str | None = None,
) -> Response:  # fmt: skip
    store = stores.get_store(session, store_id)
    site = sites.get_site(session, store_id)
    context = {
        "store": store,
        "site": site,
        "v": values,
        "error": error,
        "language_labels": LANGUAGE_LABELS,
        "public_url": f"/help/{site.slug}/" if site is not None else None,
    }
    return render(request, "helpcenter/admin/site_form.html", context, status=422 if error else 200)


@router.get(HOME + "/{store_id}", response_class=HTMLResponse)
def edit_site(request: Request, session: DbSession, actor: PageActor, store_id: int) -> Response:
    _start(request, actor)
    store = stores.get_store(session, store_id)
    return _form(request, session, store_id, _values(sites.get_site(session, store_id), store))


@router.post(HOME + "/{store_id}", dependencies=[CsrfProtected])
def save_site(
    request: Request, session: DbSession, actor: PageActor, store_id: int, form: forms.Form
) -> Response:
    _start(request, actor)
    values: dict[str, Any] = {
        "slug": forms.text(form, "slug"),
        "title": forms.text(form, "title"),
        "host": forms.text(form, "host"),
        "is_enabled": forms.text(form, "is_enabled") == "1",
        "is_default": forms.text(form, "is_default") == "1",
        "languages": [v for v in form.getlist("languages") if isinstance(v, str)],
        "primary_color": forms.text(form, "primary_color"),
        "has_contact_form": forms.text(form, "has_contact_form") == "1",
    }
    try:
        with session.begin_nested():
            sites.save_site(session, actor=actor, store_id=store_id, data=SiteIn(**values))
    except (ValidationError, KefuError) as exc:
        return _form(request, session, store_id, values, error=refusal_message(exc))
    forget_hosts(request.app)
    return redirect(f"{HOME}/{store_id}", i18n.gettext("Help center saved."))


@router.post(HOME + "/{store_id}/logo", dependencies=[CsrfProtected])
async def upload_logo(
    request: Request, session: DbSession, actor: PageActor, store_id: int, form: forms.Form
) -> Response:
    _start(request, actor)
    uploads = forms.files(form, "logo")
    try:
        if not uploads:
            raise InvalidInput("choose an image file")
        data = await uploads[0].read(sites.MAX_LOGO_BYTES + 1)
        with session.begin_nested():
            sites.set_logo(
                session, actor=actor, store_id=store_id, files=request.app.state.runtime.files,
                data=data, content_type=uploads[0].content_type or "",
            )  # fmt: skip
    except KefuError as exc:
        store = stores.get_store(session, store_id)
        values = _values(sites.get_site(session, store_id), store)
        return _form(request, session, store_id, values, error=refusal_message(exc))
    return redirect(f"{HOME}/{store_id}", i18n.gettext("Logo saved."))


@router.post(HOME + "/{store_id}/logo/delete", dependencies=[CsrfProtected])
def delete_logo(request: Request, session: DbSession, actor: PageActor, store_id: int) -> Response:
    _start(request, actor)
    sites.remove_logo(session, actor=actor, store_id=store_id)
    return redirect(f"{HOME}/{store_id}", i18n.gettext("Logo removed."))


@router.get(HOME + "-activity", response_class=HTMLResponse)
def activity_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    store_id: int | None = None,
    days: int = 30,
) -> Response:
    _start(request, actor, "reports.read")
    configured = sites.list_sites(session)
    brands = [s for s in stores.list_stores(session) if s.id in configured]
    chosen = next((s for s in brands if s.id == store_id), brands[0] if brands else None)
    days = days if days in PERIODS else 30
    until = utcnow()
    found = comments = None
    names: dict[int, str] = {}
    if chosen is not None:
        found = report.activity(
            session, store_id=chosen.id, since=until - timedelta(days=days), until=until
        )
        comments = votes.comments(session, store_id=chosen.id)
        names = public.article_titles(session, store_id=chosen.id)
    context = {
        "brands": brands,
        "chosen": chosen,
        "days": days,
        "periods": PERIODS,
        "activity": found,
        "comments": comments or [],
        "titles": names,
    }
    return render(request, "helpcenter/admin/activity.html", context)


@router.get(HOME + "-feedback", response_class=HTMLResponse)
def feedback_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Readers' comments on articles, newest first: where an owner's notification leads."""
    _start(request, actor, "kb.read")
    names: dict[int, str] = {}
    for store_id in sites.list_sites(session):
        names |= public.article_titles(session, store_id=store_id)
    context = {"comments": votes.comments(session, store_id=None, limit=100), "titles": names}
    return render(request, "helpcenter/admin/feedback.html", context)
