"""Managers' feedback settings: the CSAT survey (on/off, delay, channels, scale, reasons,
link lifetime) and the NPS campaigns."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kefu.commerce import stores
from kefu.errors import KefuError, refusal_message
from kefu.feedback import nps
from kefu.feedback.settings import CHANNELS, FeedbackSettingsIn, get_settings, save_settings
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, text
from kefu.web.templating import render

router = APIRouter()


def _page(
    request: Request, session: Any, *, error: str | None = None, status: int = 200
) -> Response:
    context = {
        "settings": get_settings(session),
        "channels": CHANNELS,
        "campaigns": nps.list_campaigns(session),
        "stores": stores.list_stores(session),
        "error": error,
    }
    return render(request, "feedback/settings.html", context, status=status)


@router.get("/admin/feedback", response_class=HTMLResponse)
def feedback_settings_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "rules.manage")
    return _page(request, session)


def _reasons(raw: str) -> list[dict[str, str]]:
    """One reason a line: `key | English | 中文`."""
    reasons = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            raise ValueError(_("Write each reason as: key | English | 中文"))
        reasons.append({"key": parts[0], "en": parts[1], "zh": parts[2]})
    return reasons


@router.post("/admin/feedback", dependencies=[CsrfProtected])
def save_feedback_settings(
    request: Request, session: DbSession, actor: PageActor, form: Form
) -> Response:
    require(actor, "rules.manage")
    delay = text(form, "delay") or "0"
    unit = 60 if text(form, "delay_unit") == "hours" else 1
    try:
        data = FeedbackSettingsIn.model_validate(
            {
                "csat_enabled": text(form, "csat_enabled") == "1",
                "csat_delay_minutes": int(delay) * unit if delay.isdigit() else -1,
                "csat_channels": form.getlist("csat_channels"),
                "csat_scale": text(form, "csat_scale") or "good_bad",
                "csat_reasons": _reasons(text(form, "csat_reasons")),
                "link_days": text(form, "link_days") or "14",
                "nps_detractor_ticket": text(form, "nps_detractor_ticket") == "1",
            }
        )
        with session.begin_nested():
            save_settings(session, actor=actor, data=data)
    except (ValidationError, KefuError, ValueError) as exc:
        return _page(request, session, error=refusal_message(exc), status=422)
    return flash.redirect("/admin/feedback", _("Feedback settings saved."))


@router.post("/admin/feedback/campaigns", dependencies=[CsrfProtected])
def add_campaign(request: Request, session: DbSession, actor: PageActor, form: Form) -> Response:
    require(actor, "rules.manage")
    values = {
        name: text(form, name)
        for name in ("name", "store_id", "audience", "delivered_within_days", "language")
    }
    values |= {n: text(form, n) for n in ("sample_percent", "throttle_days")}
    try:
        data = nps.NpsCampaignIn.model_validate({k: v for k, v in values.items() if v})
        with session.begin_nested():
            nps.create_campaign(session, actor=actor, data=data)
    except (ValidationError, KefuError) as exc:
        return _page(request, session, error=refusal_message(exc), status=422)
    return flash.redirect("/admin/feedback", _("NPS campaign added."))


@router.post("/admin/feedback/campaigns/{campaign_id}/active", dependencies=[CsrfProtected])
def toggle_campaign(
    campaign_id: int, request: Request, session: DbSession, actor: PageActor, form: Form
) -> Response:
    require(actor, "rules.manage")
    try:
        with session.begin_nested():
            nps.set_active(
                session,
                actor=actor,
                campaign_id=campaign_id,
                is_active=text(form, "is_active") == "1",
            )
    except KefuError as exc:
        return _page(request, session, error=refusal_message(exc), status=exc.status)
    return flash.redirect("/admin/feedback", _("NPS campaign saved."))
