"""The staffing page (/workforce/staffing): a queue's week of requirements per interval with
a chart, and the one-interval calculator (the CLI's inputs)."""

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.kit import i18n
from kefu.permissions import require
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import language_for, render
from kefu.workforce import forms, queues
from kefu.workforce.intervals import local_day
from kefu.workforce.staffing.view import LABELS, calculate, calculator_defaults, week_view

router = APIRouter()
MANAGE = "workforce.manage"
HOME = "/workforce/staffing"


@router.get(HOME, response_class=HTMLResponse)
def staffing_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    queue_id: int | None = None,
    day: str | None = None,
    calc: str | None = None,
) -> Response:
    i18n.current_language.set(language_for(request))
    require(actor, MANAGE)
    all_queues = queues.list_queues(session)
    if queue_id is None and all_queues:
        queue_id = all_queues[0].id
    queue = queues.get_queue(session, queue_id) if queue_id is not None else None
    view = None
    if queue is not None:
        now = request.app.state.runtime.clock()
        first = forms.day_or(day, local_day(now, queue.time_zone))
        view = week_view(session, queue_id=queue.id, day=first)
    defaults = calculator_defaults(queue)
    calculator = calculate(request.query_params, defaults) if calc else None
    context = {
        "queues": all_queues,
        "view": view,
        "calculator": calculator,
        "values": calculator.values if calculator else defaults,
        "labels": {name: i18n.gettext(label) for name, label in LABELS.items()},
    }
    if view is not None:
        context["prev_day"] = (view.monday - timedelta(days=7)).isoformat()
        context["next_day"] = (view.monday + timedelta(days=7)).isoformat()
    status = 422 if calculator is not None and calculator.error else 200
    return render(request, "workforce/staffing.html", context, status=status)
