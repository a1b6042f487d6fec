"""The admin's AI page (/admin/ai, also /settings/ai): per-feature switches, the live intent
model and its measures on the store's held-out labelled tickets, "Train now", and the
taxonomy (each intent edited on its own form)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from kefu.ai import intents, llm_settings, switches
from kefu.ai.settings_view import page_context
from kefu.config import secret_key
from kefu.errors import KefuError, refusal_message
from kefu.jobs import enqueue_after_commit
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render

router = APIRouter()
HOME = "/admin/ai"


def _instance_key(request: Request) -> str:
    return secret_key(request.app.state.runtime.settings)


def _start(request: Request, actor: Actor) -> str:
    language = language_for(request)
    i18n.current_language.set(language)
    require(actor, switches.MANAGE)
    return language


@router.get("/settings/ai")
def settings_alias() -> Response:
    return RedirectResponse(HOME, status_code=308)


@router.get(HOME, response_class=HTMLResponse)
def ai_home(request: Request, session: DbSession, actor: PageActor) -> Response:
    language = _start(request, actor)
    return render(request, "ai/ai_home.html", page_context(session, language))


@router.post(HOME + "/switches", dependencies=[CsrfProtected])
def save_switches(
    request: Request, session: DbSession, actor: PageActor, form: forms.Form
) -> Response:
    _start(request, actor)
    on = {name for name in form.getlist("on") if isinstance(name, str)}
    try:
        with session.begin_nested():
            switches.save(
                session, actor=actor, on=on, endpoint_url=forms.text(form, "endpoint_url"),
                endpoint_model=forms.text(form, "endpoint_model"),
            )  # fmt: skip
            llm_settings.save_from_form(session, actor=actor, form=form, key=_instance_key(request))
    except KefuError as exc:
        return redirect(HOME, refusal_message(exc), "error")
    return redirect(HOME, i18n.gettext("AI settings saved."))


@router.post(HOME + "/train", dependencies=[CsrfProtected])
def train_now(request: Request, session: DbSession, actor: PageActor) -> Response:
    _start(request, actor)
    enqueue_after_commit(session, "ai.train", actor.ref)
    return redirect(
        HOME,
        i18n.gettext("Training started. The new model shows here when it is done (minutes)."),
    )


def _intent_in(form: Any, key: str | None) -> intents.IntentIn:
    """The form as the service's input (an edited intent keeps its key)."""
    return intents.IntentIn(
        key=key or forms.text(form, "key"),
        name=forms.text(form, "name"),
        name_zh=forms.text(form, "name_zh"),
        description=forms.text(form, "description"),
        examples_en=forms.text(form, "examples_en").splitlines(),
        examples_zh=forms.text(form, "examples_zh").splitlines(),
        is_active=forms.text(form, "is_active") == "true",
    )


def _values(intent: intents.IntentView | None) -> dict[str, Any]:
    if intent is None:
        return {"key": "", "name": "", "name_zh": "", "description": "", "examples_en": "",
                "examples_zh": "", "is_active": True}  # fmt: skip
    return {
        "key": intent.key, "name": intent.name, "name_zh": intent.name_zh,
        "description": intent.description, "is_active": intent.is_active,
        "examples_en": "\n".join(t for lang, t in intent.examples if lang == "en"),
        "examples_zh": "\n".join(t for lang, t in intent.examples if lang == "zh"),
    }  # fmt: skip


def _intent_page(
    request: Request, *, key: str | None, values: dict[str, Any], error: str | None = None
) -> Response:
    context = {"key": key, "v": values, "error": error}
    return render(request, "ai/intent_form.html", context, status=422 if error else 200)


@router.get(HOME + "/intents/new", response_class=HTMLResponse)
def new_intent(request: Request, actor: PageActor) -> Response:
    _start(request, actor)
    return _intent_page(request, key=None, values=_values(None))


@router.get(HOME + "/intents/{key}", response_class=HTMLResponse)
def edit_intent(request: Request, session: DbSession, actor: PageActor, key: str) -> Response:
    _start(request, actor)
    return _intent_page(request, key=key, values=_values(intents.get_intent(session, key)))


def _form_values(form: Any, key: str | None) -> dict[str, Any]:
    names = ("name", "name_zh", "description", "examples_en", "examples_zh")
    values = {name: forms.text(form, name) for name in names}
    return values | {"key": key or forms.text(form, "key"),
                     "is_active": forms.text(form, "is_active") == "true"}  # fmt: skip


@router.post(HOME + "/intents", dependencies=[CsrfProtected])
@router.post(HOME + "/intents/{key}", dependencies=[CsrfProtected])
def save_intent(
    request: Request, session: DbSession, actor: PageActor, form: forms.Form,
    key: str | None = None,
) -> Response:  # fmt: skip
    _start(request, actor)
    try:
        with session.begin_nested():
            data = _intent_in(form, key)
            intents.save_intent(session, actor=actor, data=data, key=key)
    except (ValidationError, KefuError) as exc:
        values = _form_values(form, key)
        return _intent_page(request, key=key, values=values, error=refusal_message(exc))
    return redirect(HOME + "#taxonomy", i18n.gettext("Intent saved. Retrain to use it."))
