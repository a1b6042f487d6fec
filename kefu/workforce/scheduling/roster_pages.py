"""The roster pages: list and create rosters; one roster's heat map, timeline, generation
with its progress, shifts edited by form or dragged, and publishing."""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import InvalidInput, KefuError, refusal_message
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.web import forms as web_forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render
from kefu.workforce.scheduling import coverage, forms, generate, rosters, setup, timeline
from kefu.workforce.scheduling.models import Roster
from kefu.workforce.scheduling.queues import all_queues
from kefu.workforce.scheduling.schemas import ROSTER_STATUS_LABELS, RosterStatus
from kefu.workforce.scheduling.setup_pages import start, weekday_names

router = APIRouter()
HOME = "/workforce/roster"
DEFAULT_TIME_LIMIT = 30


def _home_page(
    request: Request, session: Session, values: dict[str, Any], error: str | None = None
) -> Response:
    context = {
        "rosters": rosters.list_rosters(session),
        "queues": all_queues(session),
        "rules": setup.list_rules(session),
        "status_labels": {k.value: i18n.gettext(v) for k, v in ROSTER_STATUS_LABELS.items()},
        "v": values,
        "error": error,
    }
    return render(request, "scheduling/rosters.html", context, status=422 if error else 200)


@router.get(HOME, response_class=HTMLResponse)
def roster_home(request: Request, session: DbSession, actor: PageActor) -> Response:
    start(request, actor)
    today = request.app.state.runtime.clock().date()
    monday = today + timedelta(days=7 - today.weekday())
    values = {
        "name": i18n.gettext("Week of %(day)s", day=monday.isoformat()),
        "start_date": monday.isoformat(),
        "days": 7,
        "queue_ids": [q.id for q in all_queues(session)],
        "rules_id": None,
    }
    return _home_page(request, session, values)


@router.post(HOME, dependencies=[CsrfProtected])
def create_roster(
    request: Request, session: DbSession, actor: PageActor, form: web_forms.Form
) -> Response:
    start(request, actor)
    try:
        with session.begin_nested():
            roster = rosters.create_roster(session, actor=actor, data=forms.roster_in(form))
    except (ValidationError, KefuError) as exc:
        values = {
            "name": web_forms.text(form, "name"),
            "start_date": web_forms.text(form, "start_date"),
            "days": web_forms.text(form, "days"),
            "queue_ids": web_forms.ints(form, "queue_ids"),
            "rules_id": web_forms.optional_int(form, "rules_id"),
        }
        return _home_page(request, session, values, refusal_message(exc))
    return redirect(f"{HOME}/{roster.id}", i18n.gettext("Roster created."))


def roster_context(session: Session, actor: Actor, roster: Roster) -> dict[str, Any]:
    queues = {q.id: q for q in all_queues(session) if q.id in roster.queue_ids}
    profiles = setup.work_profiles(session)
    people = accounts.list_agents(session, actor=actor, include_inactive=False)
    rostered = {
        a.id: a.name
        for a in people
        if (p := profiles.get(a.id)) and p.is_scheduled and set(p.queue_ids) & set(queues)
    }
    shifts = rosters.shifts_of(session, roster.id)
    days, rows = timeline.timeline(
        shifts,
        start_date=roster.start_date,
        days=roster.days,
        time_zone=roster.time_zone,
        agents=rostered,
    )
    conflicts = timeline.describe_conflicts(
        (roster.solver or {}).get("conflicts") or [],
        start_date=roster.start_date,
        interval_minutes=roster.interval_minutes,
        agents={a.id: a.name for a in people},
        queues={q.id: q.name for q in queues.values()},
    )
    return {
        "roster": roster,
        "conflicts": conflicts,
        "queues": queues,
        "coverage": coverage.roster_coverage(session, roster),
        "days": days,
        "rows": rows,
        "agents": people,
        "shift_count": len(shifts),
        "weekdays": weekday_names(),
        "status_labels": {k.value: i18n.gettext(v) for k, v in ROSTER_STATUS_LABELS.items()},
        "is_generating": roster.status == RosterStatus.GENERATING,
        "time_limit": DEFAULT_TIME_LIMIT,
        "local_time": lambda moment: moment.astimezone(ZoneInfo(roster.time_zone)).strftime(
            "%H:%M"
        ),
    }


@router.get(HOME + "/{roster_id}", response_class=HTMLResponse)
def roster_page(request: Request, session: DbSession, actor: PageActor, roster_id: int) -> Response:
    start(request, actor)
    roster = rosters.get_roster(session, roster_id)
    return render(request, "scheduling/roster.html", roster_context(session, actor, roster))


@router.get(HOME + "/{roster_id}/progress", response_class=HTMLResponse)
def roster_progress(
    request: Request, session: DbSession, actor: PageActor, roster_id: int
) -> Response:
    """Polled while a roster generates; once it is done the page reloads with the result."""
    start(request, actor)
    roster = rosters.get_roster(session, roster_id)
    response = render(request, "scheduling/_progress.html", {"roster": roster})
    if roster.status != RosterStatus.GENERATING:
        response.headers["HX-Refresh"] = "true"
    return response


def _act(roster_id: int, action: Any, done: str) -> Response:
    try:
        action()
    except (ValidationError, KefuError) as exc:
        return redirect(f"{HOME}/{roster_id}", refusal_message(exc), "error")
    return redirect(f"{HOME}/{roster_id}", done)


@router.post(HOME + "/{roster_id}/generate", dependencies=[CsrfProtected])
def generate_roster(
    request: Request, session: DbSession, actor: PageActor, roster_id: int, form: web_forms.Form
) -> Response:
    start(request, actor)
    limit = web_forms.optional_int(form, "time_limit_seconds") or DEFAULT_TIME_LIMIT

    def action() -> None:
        with session.begin_nested():
            generate.start_generation(
                session, actor=actor, roster_id=roster_id, time_limit_seconds=limit
            )

    return _act(roster_id, action, i18n.gettext("Generating the roster…"))


@router.post(HOME + "/{roster_id}/publish", dependencies=[CsrfProtected])
def publish_roster(
    request: Request, session: DbSession, actor: PageActor, roster_id: int
) -> Response:
    start(request, actor)

    def action() -> None:
        with session.begin_nested():
            rosters.publish_roster(session, actor=actor, roster_id=roster_id)

    return _act(roster_id, action, i18n.gettext("Roster published: agents see their shifts."))


@router.post(HOME + "/{roster_id}/cancel", dependencies=[CsrfProtected])
def cancel_generation(
    request: Request, session: DbSession, actor: PageActor, roster_id: int
) -> Response:
    start(request, actor)
    generate.cancel_generation(session, actor=actor, roster_id=roster_id)
    return redirect(f"{HOME}/{roster_id}", i18n.gettext("Generation stopped."))


@router.post(HOME + "/{roster_id}/delete", dependencies=[CsrfProtected])
def delete_roster(
    request: Request, session: DbSession, actor: PageActor, roster_id: int
) -> Response:
    start(request, actor)
    rosters.delete_roster(session, actor=actor, roster_id=roster_id)
    return redirect(HOME, i18n.gettext("Roster deleted."))


@router.post(HOME + "/{roster_id}/shifts", dependencies=[CsrfProtected])
def add_shift(
    request: Request, session: DbSession, actor: PageActor, roster_id: int, form: web_forms.Form
) -> Response:
    start(request, actor)
    roster = rosters.get_roster(session, roster_id)

    def action() -> None:
        with session.begin_nested():
            data = forms.shift_in(form, roster.time_zone)
            rosters.add_shift(session, actor=actor, roster_id=roster_id, data=data)

    return _act(roster_id, action, i18n.gettext("Shift added."))


def _shift_page(
    request: Request, session: Session, actor: Actor, shift_id: int, error: str | None = None
) -> Response:
    shift = rosters.get_shift(session, shift_id)
    roster = rosters.get_roster(session, shift.roster_id)
    zone = ZoneInfo(roster.time_zone)
    context = {
        "shift": shift,
        "roster": roster,
        "day": shift.start_at.astimezone(zone).date().isoformat(),
        "start": shift.start_at.astimezone(zone).strftime("%H:%M"),
        "end": shift.end_at.astimezone(zone).strftime("%H:%M"),
        "agents": accounts.list_agents(session, actor=actor, include_inactive=False),
        "queues": [q for q in all_queues(session) if q.id in roster.queue_ids],
        "error": error,
    }
    return render(request, "scheduling/shift_form.html", context, status=422 if error else 200)


@router.get(HOME + "/shifts/{shift_id}", response_class=HTMLResponse)
def edit_shift(request: Request, session: DbSession, actor: PageActor, shift_id: int) -> Response:
    start(request, actor)
    return _shift_page(request, session, actor, shift_id)


@router.post(HOME + "/shifts/{shift_id}", dependencies=[CsrfProtected])
def save_shift(
    request: Request, session: DbSession, actor: PageActor, shift_id: int, form: web_forms.Form
) -> Response:
    start(request, actor)
    shift = rosters.get_shift(session, shift_id)
    roster = rosters.get_roster(session, shift.roster_id)
    try:
        with session.begin_nested():
            data = forms.shift_in(form, roster.time_zone)
            rosters.update_shift(session, actor=actor, shift_id=shift_id, data=data)
    except (ValidationError, KefuError) as exc:
        return _shift_page(request, session, actor, shift_id, refusal_message(exc))
    return redirect(f"{HOME}/{roster.id}", i18n.gettext("Shift saved."))


@router.post(HOME + "/shifts/{shift_id}/move", dependencies=[CsrfProtected])
def drag_shift(
    request: Request, session: DbSession, actor: PageActor, shift_id: int, form: web_forms.Form
) -> Response:
    """A shift dragged on the timeline: moved by whole minutes, same length."""
    start(request, actor)
    shift = rosters.get_shift(session, shift_id)
    text = web_forms.text(form, "delta_minutes")
    try:
        delta = int(text)
    except ValueError:
        raise InvalidInput(_("delta_minutes: a whole number of minutes")) from None
    roster_id = shift.roster_id

    def action() -> None:
        with session.begin_nested():
            rosters.move_shift(
                session,
                actor=actor,
                shift_id=shift_id,
                start_at=shift.start_at + timedelta(minutes=delta),
            )

    return _act(roster_id, action, i18n.gettext("Shift moved."))


@router.post(HOME + "/shifts/{shift_id}/delete", dependencies=[CsrfProtected])
def delete_shift(request: Request, session: DbSession, actor: PageActor, shift_id: int) -> Response:
    start(request, actor)
    roster_id = rosters.get_shift(session, shift_id).roster_id

    def action() -> None:
        with session.begin_nested():
            rosters.delete_shift(session, actor=actor, shift_id=shift_id)

    return _act(roster_id, action, i18n.gettext("Shift removed."))
