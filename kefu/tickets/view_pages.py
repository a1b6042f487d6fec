"""The form that creates and edits a custom inbox view: filters on any field, sort, sharing."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kefu.accounts import service as accounts
from kefu.errors import KefuError
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets import views
from kefu.tickets.fields import list_fields
from kefu.tickets.filters import TicketFilter
from kefu.tickets.page_context import labels, message_error
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render

router = APIRouter()

SENTIMENT_LABELS = {
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
}
URGENCY_LABELS = {"high": N_("High"), "elevated": N_("Elevated"), "normal": N_("Normal")}
SORT_LABELS = {
    "updated_desc": N_("Last update, newest first"),
    "updated_asc": N_("Last update, oldest first"),
    "created_desc": N_("Created, newest first"),
    "created_asc": N_("Created, oldest first"),
    "priority_desc": N_("Priority, most urgent first"),
    "due_asc": N_("Due date, soonest first"),
    "sla_due_asc": N_("SLA, breaches soonest first"),
}
FIELD_OPS = {
    "eq": N_("is"),
    "ne": N_("is not"),
    "gt": N_("greater / later than"),
    "lt": N_("less / earlier than"),
    "set": N_("has a value"),
    "unset": N_("is empty"),
}


def _date(raw: str) -> datetime | None:
    return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC) if raw else None


def filters_from_form(session: Session, form: FormData) -> TicketFilter:
    """The view form's fields as the read side's filter (unset parts mean "any")."""
    assignee: Any = forms.text(form, "assignee") or None
    if assignee is not None and assignee.isdigit():
        assignee = int(assignee)
    conditions = []
    for field in list_fields(session):
        op = forms.text(form, f"op.{field.key}")
        if op:
            value = forms.text(form, f"value.{field.key}") or None
            conditions.append({"key": field.key, "op": op, "value": value})
    hours = forms.text(form, "older_than_hours")
    sla = forms.text(form, "sla")
    within = forms.text(form, "sla_due_within_minutes")
    return TicketFilter(
        statuses=form.getlist("statuses"),  # type: ignore[arg-type]
        priorities=form.getlist("priorities"),  # type: ignore[arg-type]
        types=form.getlist("types"),  # type: ignore[arg-type]
        channels=form.getlist("channels"),  # type: ignore[arg-type]
        assignee=assignee,
        team_id=forms.optional_int(form, "team_id"),
        requester_email=forms.text(form, "requester_email") or None,
        tags_all=forms.csv_list(forms.text(form, "tags_all")),
        tags_none=forms.csv_list(forms.text(form, "tags_none")),
        fields=conditions,  # type: ignore[arg-type]
        created_after=_date(forms.text(form, "created_after")),
        created_before=_date(forms.text(form, "created_before")),
        older_than_hours=int(hours) if hours.isdigit() else None,
        text=forms.text(form, "text") or None,
        sla_breached={"breached": True, "not_breached": False}.get(sla),
        sla_due_within_minutes=int(within) if within.isdigit() and int(within) else None,
        intents=forms.csv_list(forms.text(form, "intents").lower()),
        sentiments=form.getlist("sentiments"),  # type: ignore[arg-type]
        urgencies=form.getlist("urgencies"),  # type: ignore[arg-type]
    )


def _form_context(
    session: Session, actor: Actor, *, saved: Any = None, **extra: Any
) -> dict[str, Any]:
    spec = views.saved_view_filter(saved) if saved is not None else TicketFilter()
    return {
        "saved": saved,
        "spec": spec,
        "conditions": {c.key: c for c in spec.fields},
        "sort": saved.sort if saved is not None else "updated_desc",
        "is_shared": saved is not None and saved.owner_id is None,
        "sort_labels": {k: _(v) for k, v in SORT_LABELS.items()},
        "field_ops": {k: _(v) for k, v in FIELD_OPS.items()},
        "custom_fields": list_fields(session),
        "form_agents": accounts.list_agents(session, actor=actor, include_inactive=False),
        "form_teams": accounts.list_teams(session, actor=actor),
        "can_share": can(actor, views.SHARED_VIEWS_PERMISSION),
        "sentiment_labels": {k: _(v) for k, v in SENTIMENT_LABELS.items()},
        "urgency_labels": {k: _(v) for k, v in URGENCY_LABELS.items()},
        **labels(),
        **extra,
    }


def _saved_in(session: Session, form: FormData) -> views.SavedViewIn:
    return views.SavedViewIn(
        name=forms.text(form, "name"),
        filters=filters_from_form(session, form),
        sort=forms.text(form, "sort") or "updated_desc",  # type: ignore[arg-type]
        is_shared=forms.text(form, "is_shared") == "true",
    )


@router.get("/views/new", response_class=HTMLResponse)
def new_view_form(request: Request, session: DbSession, actor: PageActor) -> Response:
    return render(request, "tickets/view_form.html", _form_context(session, actor))


@router.post("/views/new", dependencies=[CsrfProtected])
def create_view(
    request: Request, session: DbSession, actor: PageActor, form: forms.Form
) -> Response:
    try:
        with session.begin_nested():
            saved = views.create_saved_view(session, actor=actor, data=_saved_in(session, form))
    except (ValidationError, KefuError, ValueError) as exc:
        context = _form_context(
            session, actor, error=message_error(exc), name=forms.text(form, "name")
        )
        return render(request, "tickets/view_form.html", context, status=422)
    return redirect(f"/views/{saved.id}", _("View saved."))


@router.get("/views/saved/{view_id}/edit", response_class=HTMLResponse)
def edit_view_form(
    request: Request, session: DbSession, actor: PageActor, view_id: int
) -> Response:
    saved = views.get_saved_view(session, actor=actor, view_id=view_id)
    return render(request, "tickets/view_form.html", _form_context(session, actor, saved=saved))


@router.post("/views/saved/{view_id}/edit", dependencies=[CsrfProtected])
def save_view(
    request: Request, session: DbSession, actor: PageActor, view_id: int, form: forms.Form
) -> Response:
    try:
        with session.begin_nested():
            data = _saved_in(session, form)
            views.update_saved_view(session, actor=actor, view_id=view_id, data=data)
    except (ValidationError, KefuError, ValueError) as exc:
        saved = views.get_saved_view(session, actor=actor, view_id=view_id)
        context = _form_context(session, actor, saved=saved, error=message_error(exc))
        return render(request, "tickets/view_form.html", context, status=422)
    return redirect(f"/views/{view_id}", _("View saved."))


@router.post("/views/saved/{view_id}/delete", dependencies=[CsrfProtected])
def delete_view(session: DbSession, actor: PageActor, view_id: int) -> Response:
    try:
        with session.begin_nested():
            views.delete_saved_view(session, actor=actor, view_id=view_id)
    except KefuError as exc:
        return redirect(f"/views/{view_id}", exc.message, "error")
    return redirect("/", _("View deleted."))
