"""The public contact form: suggestions while the customer types, a ticket when they send,
a spam guard (a honeypot field and a per-address limit)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.errors import NotFound, refusal_message
from kefu.kb.helpcenter import contact, suggest
from kefu.kb.helpcenter.render import base_path, render_public
from kefu.kb.helpcenter.routing import PublicRoute, site_for
from kefu.kb.helpcenter.schemas import ContactIn
from kefu.kb.helpcenter.sites import SiteView
from kefu.kb.helpcenter.throttle import limit
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession

router = APIRouter(route_class=PublicRoute)
CONTACT = "/help/{slug}/{language}/contact"
HONEYPOT = "website"
FIELDS = ("name", "email", "subject", "message", "order_number")


def _contact_site(request: Request, session: Session, slug: str, language: str) -> SiteView:
    site = site_for(request, session, slug, language)
    if not site.has_contact_form:
        raise NotFound("this help center has no contact form")
    return site


def _form_page(
    request: Request, site: SiteView, language: str, *, values: dict[str, str], visit: str,
    error: str | None = None,
) -> Response:  # fmt: skip
    context = {"v": values, "visit": visit, "error": error, "honeypot": HONEYPOT}
    return render_public(
        request, "helpcenter/contact.html", site=site, language=language, context=context,
        status=422 if error else 200,
    )  # fmt: skip


@router.get(CONTACT, response_class=HTMLResponse)
def contact_form(request: Request, session: DbSession, slug: str, language: str) -> Response:
    site = _contact_site(request, session, slug, language)
    values = dict.fromkeys(FIELDS, "")
    return _form_page(request, site, language, values=values, visit=contact.new_visit_token())


@router.get(CONTACT + "/suggest", response_class=HTMLResponse)
def suggestions(
    request: Request,
    session: DbSession,
    slug: str,
    language: str,
    visit: str = "",
    subject: str = "",
    message: str = "",
) -> Response:
    site = _contact_site(request, session, slug, language)
    limit(request, "suggest")
    hits = suggest.suggestions(
        session, site=site, language=language, subject=subject[:300], message=message[:2000]
    )
    contact.suggestions_shown(session, store_id=site.store_id, token=visit, count=len(hits))
    return render_public(
        request, "helpcenter/_suggestions.html", site=site, language=language,
        context={"hits": hits, "visit": visit},
    )  # fmt: skip


@router.post(CONTACT, dependencies=[CsrfProtected])
def send(
    request: Request, session: DbSession, slug: str, language: str, form: forms.Form
) -> Response:
    site = _contact_site(request, session, slug, language)
    limit(request, "contact")
    values = {name: forms.text(form, name) for name in FIELDS}
    visit = forms.text(form, "visit")
    if not contact.is_token(visit):
        visit = contact.new_visit_token()
    sent = f"{base_path(request, site)}/{language}/contact/sent"
    if forms.text(form, HONEYPOT):
        # A bot filled the field people cannot see: it is told "sent", nothing is stored.
        return RedirectResponse(sent, status_code=303)
    try:
        data = ContactIn.model_validate(values)
    except ValidationError as exc:
        error = refusal_message(exc)
        return _form_page(request, site, language, values=values, visit=visit, error=error)
    with session.begin_nested():
        contact.submit(session, store_id=site.store_id, token=visit, data=data, language=language)
    return RedirectResponse(sent, status_code=303)


@router.get(CONTACT + "/sent", response_class=HTMLResponse)
def sent(request: Request, session: DbSession, slug: str, language: str) -> Response:
    site = _contact_site(request, session, slug, language)
    return render_public(request, "helpcenter/contact_sent.html", site=site, language=language)
