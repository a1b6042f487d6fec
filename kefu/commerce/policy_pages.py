"""Managers write the stores' policies: per store and product category, the return window,
final sale, restocking fee, reasons that need photos and the agents' refund limit."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kefu.commerce import policies, stores
from kefu.commerce.action_forms import amount
from kefu.commerce.reasons import reason_choices
from kefu.errors import KefuError, refusal_message
from kefu.kit import i18n
from kefu.kit.money import major_text
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render

router = APIRouter()


@router.get("/admin/policies", response_class=HTMLResponse)
def policy_page(
    request: Request, session: DbSession, actor: PageActor, store_id: int | None = None
) -> Response:
    i18n.current_language.set(language_for(request))
    policies.require_policy_editor(actor)
    all_stores = stores.list_stores(session)
    store = next((s for s in all_stores if s.id == store_id), all_stores[0] if all_stores else None)
    context: dict[str, Any] = {
        "stores": all_stores,
        "store": store,
        "policies": policies.list_policies(session, store.id) if store else [],
        "reasons": reason_choices(),
        "default_window": policies.DEFAULT_WINDOW_DAYS,
        "default_limit": policies.DEFAULT_AGENT_LIMIT_MINOR,
        "major": lambda minor: major_text(minor, store.currency) if store else "",
    }
    return render(request, "commerce/policies.html", context)


@router.post("/admin/policies/{store_id}", dependencies=[CsrfProtected])
def save_policy(
    request: Request, session: DbSession, actor: PageActor, store_id: int, form: forms.Form
) -> Response:
    i18n.current_language.set(language_for(request))
    back = f"/admin/policies?store_id={store_id}"
    try:
        with session.begin_nested():
            store = stores.get_store(session, store_id)
            data = policies.PolicyIn(
                category=forms.text(form, "category"),
                return_window_days=int(forms.text(form, "return_window_days", "30") or 0),
                is_final_sale=forms.text(form, "is_final_sale") == "1",
                restocking_fee_percent=int(forms.text(form, "restocking_fee_percent", "0") or 0),
                photo_reasons=[r for r in form.getlist("photo_reasons") if isinstance(r, str)],
                agent_refund_limit_minor=amount(form, "agent_refund_limit", store.currency),
            )
            policies.save_policy(session, actor=actor, store_id=store_id, data=data)
    except (ValidationError, KefuError) as exc:
        return redirect(back, refusal_message(exc), "error")
    except ValueError:
        return redirect(back, i18n.gettext("Days and percentages are whole numbers."), "error")
    return redirect(back, i18n.gettext("Policy saved."))


@router.post("/admin/policies/{store_id}/{policy_id}/delete", dependencies=[CsrfProtected])
def delete_policy(
    request: Request, session: DbSession, actor: PageActor, store_id: int, policy_id: int
) -> Response:
    i18n.current_language.set(language_for(request))
    back = f"/admin/policies?store_id={store_id}"
    try:
        with session.begin_nested():
            policies.delete_policy(session, actor=actor, store_id=store_id, policy_id=policy_id)
    except KefuError as exc:
        return redirect(back, refusal_message(exc), "error")
    return redirect(back, i18n.gettext("Policy removed."))
