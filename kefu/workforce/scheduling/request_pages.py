"""Managers decide time-off and swap requests, seeing first what an approval does to
coverage; and the intraday page: today's volume, agents and adherence."""

from datetime import date
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from kefu.accounts import service as accounts
from kefu.errors import KefuError, refusal_message
from kefu.kit import i18n
from kefu.web import forms as web_forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render
from kefu.workforce.scheduling import intraday, requests, rosters
from kefu.workforce.scheduling.queues import all_queues
from kefu.workforce.scheduling.schemas import REQUEST_STATUS_LABELS, DecisionIn
from kefu.workforce.scheduling.setup_pages import start

router = APIRouter()
HOME = "/workforce/requests"


@router.get(HOME, response_class=HTMLResponse)
def requests_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    start(request, actor)
    time_off = requests.time_off_requests(session)
    swaps = requests.swap_requests(session)
    pending = [r for r in time_off if r.status == requests.PENDING]
    zone = request.app.state.runtime.settings.time_zone
    context = {
        "time_off": time_off,
        "swaps": swaps,
        "impacts": {r.id: requests.time_off_impact(session, r) for r in pending},
        "shifts": {
            s.id: s
            for s in (
                rosters.get_shift(session, i)
                for sw in swaps
                if sw.status == requests.PENDING
                for i in (sw.shift_id, sw.other_shift_id)
                if i
            )
        },
        "names": {a.id: a.name for a in accounts.list_agents(session, actor=actor)},
        "status_labels": {k.value: i18n.gettext(v) for k, v in REQUEST_STATUS_LABELS.items()},
        "local": lambda moment: moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M"),
    }
    return render(request, "scheduling/requests.html", context)


def _decision(form: FormData) -> DecisionIn:
    return DecisionIn(
        approve=web_forms.text(form, "decision") == "approve",
        note=web_forms.text(form, "note"),
    )


@router.post(HOME + "/time-off/{request_id}", dependencies=[CsrfProtected])
def decide_time_off(
    request: Request, session: DbSession, actor: PageActor, request_id: int, form: web_forms.Form
) -> Response:
    start(request, actor)
    try:
        with session.begin_nested():
            decided = requests.decide_time_off(
                session, actor=actor, request_id=request_id, data=_decision(form)
            )
    except (ValidationError, KefuError) as exc:
        return redirect(HOME, refusal_message(exc), "error")
    if decided.status == "approved":
        return redirect(HOME, i18n.gettext("Time off approved; the agent’s shifts then are off."))
    return redirect(HOME, i18n.gettext("Time off denied."))


@router.post(HOME + "/swaps/{swap_id}", dependencies=[CsrfProtected])
def decide_swap(
    request: Request, session: DbSession, actor: PageActor, swap_id: int, form: web_forms.Form
) -> Response:
    start(request, actor)
    try:
        with session.begin_nested():
            decided = requests.decide_swap(
                session, actor=actor, swap_id=swap_id, data=_decision(form)
            )
    except (ValidationError, KefuError) as exc:
        return redirect(HOME, refusal_message(exc), "error")
    if decided.status == "approved":
        return redirect(HOME, i18n.gettext("Swap approved."))
    return redirect(HOME, i18n.gettext("Swap denied."))


@router.get("/workforce/intraday", response_class=HTMLResponse)
def intraday_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    queue: int | None = None,
    day: str | None = None,
) -> Response:
    start(request, actor)
    queues = all_queues(session)
    chosen = next((q for q in queues if q.id == queue), queues[0] if queues else None)
    now = request.app.state.runtime.clock()
    report = None
    if chosen is not None:
        try:
            on = (
                date.fromisoformat(day)
                if day
                else now.astimezone(ZoneInfo(chosen.time_zone)).date()
            )
        except ValueError:
            on = now.astimezone(ZoneInfo(chosen.time_zone)).date()
        report = intraday.intraday(session, queue=chosen, day=on, now=now)
    zone = ZoneInfo(chosen.time_zone) if chosen else None
    context = {
        "queues": queues,
        "chosen": chosen,
        "report": report,
        "hm": lambda moment: moment.astimezone(zone).strftime("%H:%M"),
        "percent": lambda value: "—" if value is None else f"{value * 100:.0f} %",
        "minutes": lambda seconds: f"{seconds / 60:.0f}",
    }
    return render(request, "scheduling/intraday.html", context)
