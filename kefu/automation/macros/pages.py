"""The macros editor at /admin/macros: folders, search, edit, preview against a ticket."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kefu.automation.macros import service
from kefu.automation.macros.context import build_context
from kefu.automation.macros.models import Macro
from kefu.automation.macros.sandbox import render_template
from kefu.automation.macros.schemas import LANGUAGES, MacroCreate, MacroUpdate
from kefu.errors import InvalidInput, KefuError, PermissionDenied, refusal_message
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets import service as tickets
from kefu.tickets.schemas import PRIORITY_LABELS, STATUS_LABELS
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render

router = APIRouter()
SIMPLE_ACTIONS = ("set_status", "set_priority", "add_tags", "remove_tags")


def _require_macros(actor: Actor) -> None:
    if not (can(actor, "macros.use") or can(actor, "macros.manage")):
        raise PermissionDenied("your role does not allow this (macros.use)")


def _choices() -> dict[str, Any]:
    return {
        "status_labels": {k.value: _(v) for k, v in STATUS_LABELS.items() if k != "new"},
        "priority_labels": {k.value: _(v) for k, v in PRIORITY_LABELS.items()},
    }


def _form_of(macro: Macro | None) -> dict[str, Any]:
    """The editor's fields for a macro: its simple actions in their own boxes, the rest JSON."""
    if macro is None:
        return {"kind": "reply", "is_active": True, "personal": False}
    simple = {a["type"]: a for a in macro.actions if a.get("type") in SIMPLE_ACTIONS}
    others = [a for a in macro.actions if a.get("type") not in SIMPLE_ACTIONS]
    return {
        "name": macro.name,
        "folder": macro.folder,
        "kind": macro.kind,
        "is_active": macro.is_active,
        "personal": macro.owner_id is not None,
        **{f"body_{lang}": macro.bodies.get(lang, "") for lang in LANGUAGES},
        "set_status": simple.get("set_status", {}).get("status", ""),
        "set_priority": simple.get("set_priority", {}).get("priority", ""),
        "add_tags": ", ".join(simple.get("add_tags", {}).get("tags", [])),
        "remove_tags": ", ".join(simple.get("remove_tags", {}).get("tags", [])),
        "more_actions": json.dumps(others, ensure_ascii=False) if others else "",
    }


def _actions_from(form: FormData) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    if status := forms.text(form, "set_status"):
        actions.append({"type": "set_status", "status": status})
    if priority := forms.text(form, "set_priority"):
        actions.append({"type": "set_priority", "priority": priority})
    for kind in ("add_tags", "remove_tags"):
        if tags := forms.csv_list(forms.text(form, kind)):
            actions.append({"type": kind, "tags": tags})
    more = forms.text(form, "more_actions")
    if more:
        try:
            extra = json.loads(more)
        except json.JSONDecodeError as exc:
            raise InvalidInput(_("More actions: not JSON (%(reason)s).", reason=exc.msg)) from None
        if not isinstance(extra, list) or not all(isinstance(a, dict) for a in extra):
            raise InvalidInput(_("More actions: write a JSON list of changes."))
        actions += extra
    return actions


def _values_from(form: FormData) -> dict[str, Any]:
    return {
        "name": forms.text(form, "name"),
        "folder": forms.text(form, "folder"),
        "kind": "note" if forms.text(form, "kind") == "note" else "reply",
        "bodies": {lang: form.get(f"body_{lang}") or "" for lang in LANGUAGES},
        "actions": _actions_from(form),
        "is_active": bool(forms.text(form, "is_active")),
    }


def _list_context(
    session: Session, actor: Actor, *, q: str = "", folder: str = ""
) -> dict[str, Any]:
    everything = service.list_macros(session, actor=actor, include_inactive=True)
    shown = service.list_macros(
        session, actor=actor, query=q, folder=folder or None, include_inactive=True
    )
    return {
        "macros": shown,
        "folders": service.folder_tree(everything),
        "q": q,
        "folder": folder,
        "total": len(everything),
        "can_manage": can(actor, "macros.manage"),
        "editable": {m.id for m in shown if service.can_edit(actor, m)},
    }


@router.get("/admin/macros", response_class=HTMLResponse)
def macros_page(
    request: Request, session: DbSession, actor: PageActor, q: str = "", folder: str = ""
) -> Response:
    _require_macros(actor)
    context = _list_context(session, actor, q=q[:200], folder=folder[:200])
    template = "macros/_table.html" if request.headers.get("hx-request") else "macros/list.html"
    return render(request, template, context)


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    macro: Macro | None,
    form: dict[str, Any],
    error: str | None = None,
) -> Response:
    context = {
        "macro": macro,
        "form": form,
        "error": error,
        "languages": LANGUAGES,
        **_choices(),
        "can_share": can(actor, "macros.manage"),
    }
    return render(request, "macros/form.html", context, status=422 if error else 200)


@router.get("/admin/macros/new", response_class=HTMLResponse)
def new_macro_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    _require_macros(actor)
    form = _form_of(None) | {"personal": not can(actor, "macros.manage")}
    return _form_page(request, session, actor, macro=None, form=form)


@router.post("/admin/macros", dependencies=[CsrfProtected])
def create_macro(
    request: Request, session: DbSession, actor: PageActor, form: forms.Form
) -> Response:
    _require_macros(actor)
    personal = bool(forms.text(form, "personal")) or not can(actor, "macros.manage")
    shown = {**dict(form), "is_active": bool(forms.text(form, "is_active")), "personal": personal}
    try:
        data = MacroCreate(**_values_from(form), personal=personal)
        with session.begin_nested():
            macro = service.create_macro(session, actor=actor, data=data)
    except (ValidationError, KefuError) as exc:
        return _form_page(
            request, session, actor, macro=None, form=shown, error=refusal_message(exc)
        )
    return redirect(f"/admin/macros?folder={quote(macro.folder)}", _("Macro saved."))


@router.get("/admin/macros/{macro_id:int}", response_class=HTMLResponse)
def edit_macro_page(
    request: Request, session: DbSession, actor: PageActor, macro_id: int
) -> Response:
    macro = service.read_macro(session, actor=actor, macro_id=macro_id)
    if not service.can_edit(actor, macro):
        raise PermissionDenied("your role does not allow this (macros.manage)")
    return _form_page(request, session, actor, macro=macro, form=_form_of(macro))


@router.post("/admin/macros/{macro_id:int}", dependencies=[CsrfProtected])
def update_macro(
    request: Request, session: DbSession, actor: PageActor, macro_id: int, form: forms.Form
) -> Response:
    macro = service.read_macro(session, actor=actor, macro_id=macro_id)
    shown = {
        **dict(form),
        "is_active": bool(forms.text(form, "is_active")),
        "personal": macro.owner_id is not None,
    }
    try:
        data = MacroUpdate(**_values_from(form))
        with session.begin_nested():
            service.update_macro(session, actor=actor, macro_id=macro_id, data=data)
    except (ValidationError, KefuError) as exc:
        session.expire(macro)
        return _form_page(
            request, session, actor, macro=macro, form=shown, error=refusal_message(exc)
        )
    return redirect(f"/admin/macros?folder={quote(macro.folder)}", _("Macro saved."))


@router.post("/admin/macros/{macro_id:int}/delete", dependencies=[CsrfProtected])
def delete_macro(session: DbSession, actor: PageActor, macro_id: int) -> Response:
    try:
        with session.begin_nested():
            service.delete_macro(session, actor=actor, macro_id=macro_id)
    except KefuError as exc:
        return redirect("/admin/macros", exc.message, "error")
    return redirect("/admin/macros", _("Macro deleted."))


@router.post("/admin/macros/preview", dependencies=[CsrfProtected])
def preview(request: Request, session: DbSession, actor: PageActor, form: forms.Form) -> Response:
    """The text being edited, filled in for a ticket the manager names (nothing is saved)."""
    _require_macros(actor)
    language = forms.text(form, "preview_language") or "en"
    body = str(form.get(f"body_{language}") or "")
    context: dict[str, Any] = {"language": language}
    ticket_id = forms.optional_int(form, "preview_ticket")
    try:
        if ticket_id is None:
            raise InvalidInput(_("Type the number of a ticket to preview with."))
        tickets.read_ticket(session, actor=actor, ticket_id=ticket_id)
        values = build_context(
            session, ticket_id=ticket_id, agent_id=actor.agent_id, language=language
        )
        context["text"], context["missing"] = render_template(body, values)
    except KefuError as exc:
        context["error"] = exc.message
    return render(request, "macros/_preview.html", context)
