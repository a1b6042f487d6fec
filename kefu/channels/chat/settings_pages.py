"""Chat widget administration: the list, the new/edit form, the embed snippet and the
identity secret (shown once when made or rotated, never again)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kefu.accounts import service as accounts
from kefu.ai import switches as ai_switches
from kefu.channels.chat import widgets
from kefu.channels.chat.models import ChatWidget
from kefu.channels.chat.schemas import PRECHAT_FIELDS, WidgetIn
from kefu.commerce import stores
from kefu.errors import KefuError, refusal_message
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.permissions import can, require
from kefu.sla import business_hours
from kefu.web import flash, forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()

MANAGE = widgets.MANAGE
FIELD_LABELS = {"name": N_("Name"), "email": N_("Email"), "order": N_("Order number")}
MODE_LABELS = {"off": N_("Not asked"), "optional": N_("Optional"), "required": N_("Required")}
NEW_WIDGET: dict[str, Any] = {
    "name": "",
    "allowed_origins": "",
    "prechat_fields": {"name": "optional", "email": "required", "order": "optional"},
    "greeting_en": "",
    "greeting_zh": "",
    "colour": "#2563eb",
    "offline_when_nobody_online": True,
    "is_active": True,
}


def _submitted(form: FormData) -> dict[str, Any]:
    """The form as WidgetIn takes it; origins one a line (or separated by commas)."""
    origins = forms.text(form, "allowed_origins").replace(",", "\n").splitlines()
    return {
        "name": forms.text(form, "name"),
        "store_id": forms.optional_int(form, "store_id"),
        "allowed_origins": [o.strip() for o in origins if o.strip()],
        "team_id": forms.optional_int(form, "team_id"),
        "business_schedule_id": forms.optional_int(form, "business_schedule_id"),
        "offline_when_nobody_online": forms.text(form, "offline_when_nobody_online") == "1",
        "prechat_fields": {f: forms.text(form, f"prechat.{f}") or "off" for f in PRECHAT_FIELDS},
        "greeting": {"en": forms.text(form, "greeting_en"), "zh": forms.text(form, "greeting_zh")},
        "colour": forms.text(form, "colour") or "#2563eb",
        "assistant_first": forms.text(form, "assistant_first") == "1",
        "is_active": forms.text(form, "is_active") == "1",
    }


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """Submitted or stored values as the form shows them."""
    greeting = values.get("greeting") or {}
    return {
        **values,
        "allowed_origins": "\n".join(values.get("allowed_origins") or []),
        "greeting_en": greeting.get("en", ""),
        "greeting_zh": greeting.get("zh", ""),
    }


def _of(widget: ChatWidget) -> dict[str, Any]:
    return _shown(
        {
            "name": widget.name,
            "store_id": widget.store_id,
            "allowed_origins": widget.allowed_origins,
            "team_id": widget.team_id,
            "business_schedule_id": widget.business_schedule_id,
            "offline_when_nobody_online": widget.offline_when_nobody_online,
            "prechat_fields": widget.prechat_fields,
            "greeting": widget.greeting,
            "colour": widget.colour,
            "assistant_first": widget.assistant_first,
            "is_active": widget.is_active,
        }
    )


def _choices(session: Session, actor: Actor) -> dict[str, Any]:
    return {
        "teams": accounts.list_teams(session, actor=actor),
        "schedules": business_hours.list_schedules(session),
        "stores": stores.list_stores(session, include_inactive=False),
        "prechat_names": list(PRECHAT_FIELDS),
        "field_labels": {k: _(v) for k, v in FIELD_LABELS.items()},  # type: ignore[call-overload]
        "mode_labels": {k: _(v) for k, v in MODE_LABELS.items()},  # type: ignore[call-overload]
        "assistant_offered": ai_switches.is_on(session, "assistant"),
    }


def _base_url(request: Request) -> str:
    return str(request.app.state.runtime.settings.base_url)


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    form: dict[str, Any],
    widget: ChatWidget | None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "form": form,
        "widget": widget,
        "error": error,
        "snippet": widgets.embed_snippet(widget, base_url=_base_url(request)) if widget else "",
        **_choices(session, actor),
    }
    return render(request, "chat/settings_widget_form.html", context, status=status)


def _secret_page(request: Request, widget: ChatWidget, secret: str, *, is_new: bool) -> Response:
    """The one time the secret is shown: rendered, never redirected (no URL or cookie
    carries it)."""
    context = {
        "widget": widget,
        "secret": secret,
        "is_new": is_new,
        "snippet": widgets.embed_snippet(widget, base_url=_base_url(request)),
    }
    response = render(request, "chat/settings_widget_secret.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/chat", response_class=HTMLResponse)
def widgets_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    rows = widgets.list_widgets(session, actor=actor)
    base = _base_url(request)
    context = {
        "widgets": rows,
        "snippets": {w.id: widgets.embed_snippet(w, base_url=base) for w in rows},
        "team_names": {t.id: t.name for t in accounts.list_teams(session, actor=actor)},
        "can_set_limits": can(actor, "teams.manage"),
    }
    return render(request, "chat/settings_widgets.html", context)


@router.get("/admin/chat/new", response_class=HTMLResponse)
def new_widget_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, MANAGE)
    return _form_page(request, session, actor, form=_shown(dict(NEW_WIDGET)), widget=None)


@router.post("/admin/chat", dependencies=[CsrfProtected])
def create_widget(
    request: Request, session: DbSession, actor: PageActor, form: forms.Form
) -> Response:
    require(actor, MANAGE)
    values = _submitted(form)
    try:
        data = WidgetIn.model_validate(values)
        with session.begin_nested():
            widget, secret = widgets.create_widget(session, actor=actor, data=data)
    except (ValidationError, KefuError) as exc:
        message = refusal_message(exc)
        shown = _shown(values)
        return _form_page(
            request, session, actor, form=shown, widget=None, error=message, status=422
        )
    return _secret_page(request, widget, secret, is_new=True)


@router.get("/admin/chat/{widget_id}", response_class=HTMLResponse)
def edit_widget_page(
    request: Request, session: DbSession, actor: PageActor, widget_id: int
) -> Response:
    require(actor, MANAGE)
    widget = widgets.get_widget(session, widget_id)
    return _form_page(request, session, actor, form=_of(widget), widget=widget)


@router.post("/admin/chat/{widget_id}", dependencies=[CsrfProtected])
def update_widget(
    request: Request, session: DbSession, actor: PageActor, widget_id: int, form: forms.Form
) -> Response:
    require(actor, MANAGE)
    widget = widgets.get_widget(session, widget_id)
    values = _submitted(form)
    try:
        data = WidgetIn.model_validate(values)
        with session.begin_nested():
            widgets.update_widget(session, actor=actor, widget_id=widget_id, data=data)
    except (ValidationError, KefuError) as exc:
        session.refresh(widget)
        message = refusal_message(exc)
        shown = _shown(values)
        return _form_page(
            request, session, actor, form=shown, widget=widget, error=message, status=422
        )
    return flash.redirect(f"/admin/chat/{widget_id}", _("Chat widget saved."))


@router.post("/admin/chat/{widget_id}/secret", dependencies=[CsrfProtected])
def rotate_secret(
    request: Request, session: DbSession, actor: PageActor, widget_id: int
) -> Response:
    """A new identity secret; the old one stops working at once."""
    require(actor, MANAGE)
    with session.begin_nested():
        secret = widgets.rotate_secret(session, actor=actor, widget_id=widget_id)
    widget = widgets.get_widget(session, widget_id)
    return _secret_page(request, widget, secret, is_new=False)
