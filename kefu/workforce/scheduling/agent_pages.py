"""An agent's own schedule: their published week, their calendar feed, and their time-off
and swap requests. The feed itself is served by its secret address, without signing in."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import KefuError, refusal_message
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.web import forms as web_forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render
from kefu.workforce.scheduling import calendar_feed, forms, requests, rosters, setup
from kefu.workforce.scheduling.coverage import working_spans
from kefu.workforce.scheduling.queues import queues_by_id
from kefu.workforce.scheduling.schemas import REQUEST_STATUS_LABELS
from kefu.workforce.scheduling.setup_pages import start, weekday_names

router = APIRouter()
HOME = "/schedule"


def time_zone_of(request: Request, session: Session) -> str:
    """The agent's own time zone, else that of the first queue they are rostered on (where
    their shifts are planned), else the site's."""
    agent = getattr(request.state, "agent", None)
    zone = getattr(agent, "time_zone", None)
    if zone:
        return str(zone)
    profile = setup.work_profile(session, agent.id) if agent is not None else None
    if profile is not None and profile.queue_ids:
        found = queues_by_id(session, profile.queue_ids[:1])
        if found:
            return str(next(iter(found.values())).time_zone)
    return str(request.app.state.runtime.settings.time_zone)


def _week_start(request: Request, value: str | None, zone: str) -> date:
    if value:
        try:
            chosen = date.fromisoformat(value)
        except ValueError:
            chosen = None
        if chosen is not None:
            return chosen - timedelta(days=chosen.weekday())
    today = request.app.state.runtime.clock().astimezone(ZoneInfo(zone)).date()
    return today - timedelta(days=today.weekday())


def _week(session: Session, agent_id: int, monday: date, zone: str) -> list[dict[str, Any]]:
    tz = ZoneInfo(zone)
    start_at = rosters.local_midnight(monday, zone)
    end_at = rosters.local_midnight(monday + timedelta(days=7), zone)
    shifts = rosters.published_shifts_of_agent(session, agent_id, start_at, end_at)
    off = [
        r
        for r in requests.time_off_requests(session, agent_id=agent_id)
        if r.status in ("approved", "pending") and r.start_at < end_at and r.end_at > start_at
    ]
    names = weekday_names()
    days = []
    for i in range(7):
        day = monday + timedelta(days=i)
        d_start, d_end = (
            rosters.local_midnight(day, zone),
            rosters.local_midnight(day + timedelta(days=1), zone),
        )
        days.append(
            {
                "date": day,
                "name": names[day.weekday()],
                "shifts": [
                    {
                        "id": s.id,
                        "start": s.start_at.astimezone(tz).strftime("%H:%M"),
                        "end": s.end_at.astimezone(tz).strftime("%H:%M"),
                        "hours": round(
                            sum((e - b).total_seconds() for b, e in working_spans(s)) / 3600, 1
                        ),
                        "breaks": [
                            (
                                b["kind"],
                                datetime.fromisoformat(b["start_at"])
                                .astimezone(tz)
                                .strftime("%H:%M"),
                                datetime.fromisoformat(b["end_at"])
                                .astimezone(tz)
                                .strftime("%H:%M"),
                            )
                            for b in s.breaks or []
                        ],
                    }
                    for s in shifts
                    if d_start <= s.start_at < d_end
                ],
                "time_off": [r.status for r in off if r.start_at < d_end and r.end_at > d_start],
            }
        )
    return days


def _page(
    request: Request, session: Session, actor: Actor, week: str | None, error: str | None = None
) -> Response:
    zone = time_zone_of(request, session)
    monday = _week_start(request, week, zone)
    agent_id = actor.agent_id or 0
    mine = rosters.published_shifts_of_agent(
        session,
        agent_id,
        request.app.state.runtime.clock(),
        rosters.local_midnight(monday + timedelta(days=35), zone),
    )
    theirs = [
        s
        for s in rosters.published_shifts(
            session,
            request.app.state.runtime.clock(),
            rosters.local_midnight(monday + timedelta(days=35), zone),
        )
        if s.agent_id != agent_id
    ]
    token = calendar_feed.feed_token(session, actor=actor)
    context = {
        "monday": monday,
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "days": _week(session, agent_id, monday, zone),
        "time_zone": zone,
        "feed_url": str(request.base_url).rstrip("/") + f"{HOME}/feed/{token}.ics",
        "time_off": requests.time_off_requests(session, agent_id=agent_id),
        "swaps": requests.swap_requests(session, agent_id=agent_id),
        "my_shifts": mine,
        "their_shifts": theirs,
        "colleagues": [
            a
            for a in accounts.list_agents(session, actor=actor, include_inactive=False)
            if a.id != agent_id
        ],
        "names": {a.id: a.name for a in accounts.list_agents(session, actor=actor)},
        "status_labels": {k.value: i18n.gettext(v) for k, v in REQUEST_STATUS_LABELS.items()},
        "local": lambda moment: moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M"),
        "local_day": lambda moment: moment.astimezone(ZoneInfo(zone)).date().isoformat(),
        "last_day": lambda moment: (
            (moment - timedelta(seconds=1)).astimezone(ZoneInfo(zone)).date().isoformat()
        ),
        "error": error,
    }
    return render(request, "scheduling/my_schedule.html", context, status=422 if error else 200)


@router.get(HOME, response_class=HTMLResponse)
def my_schedule(
    request: Request, session: DbSession, actor: PageActor, week: str | None = None
) -> Response:
    start(request, actor, None)
    return _page(request, session, actor, week)


@router.post(HOME + "/time-off", dependencies=[CsrfProtected])
def ask_time_off(
    request: Request, session: DbSession, actor: PageActor, form: web_forms.Form
) -> Response:
    start(request, actor, None)
    try:
        with session.begin_nested():
            requests.request_time_off(
                session,
                actor=actor,
                data=forms.time_off_in(form),
                time_zone=time_zone_of(request, session),
            )
    except (ValidationError, KefuError) as exc:
        return _page(request, session, actor, None, refusal_message(exc))
    return redirect(HOME, i18n.gettext("Time off requested; your manager will decide."))


@router.post(HOME + "/time-off/{request_id}/cancel", dependencies=[CsrfProtected])
def cancel_time_off(
    request: Request, session: DbSession, actor: PageActor, request_id: int
) -> Response:
    start(request, actor, None)
    try:
        with session.begin_nested():
            requests.cancel_time_off(session, actor=actor, request_id=request_id)
    except KefuError as exc:
        return redirect(HOME, refusal_message(exc), "error")
    return redirect(HOME, i18n.gettext("Request cancelled."))


@router.post(HOME + "/swaps", dependencies=[CsrfProtected])
def ask_swap(
    request: Request, session: DbSession, actor: PageActor, form: web_forms.Form
) -> Response:
    start(request, actor, None)
    try:
        with session.begin_nested():
            requests.request_swap(session, actor=actor, data=forms.swap_in(form))
    except (ValidationError, KefuError) as exc:
        return _page(request, session, actor, None, refusal_message(exc))
    return redirect(HOME, i18n.gettext("Swap requested; your manager will decide."))


@router.post(HOME + "/feed/renew", dependencies=[CsrfProtected])
def renew_feed(request: Request, session: DbSession, actor: PageActor) -> Response:
    start(request, actor, None)
    calendar_feed.feed_token(session, actor=actor, renew=True)
    return redirect(HOME, i18n.gettext("New calendar address made; the old one no longer works."))


@router.get(HOME + "/feed/{token}.ics")
def feed(request: Request, session: DbSession, token: str) -> Response:
    """The secret address calendar apps poll; an unknown token is a 404."""
    body = calendar_feed.feed(
        session,
        token=token,
        title=i18n.gettext("kefu shift"),
        now=request.app.state.runtime.clock(),
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
