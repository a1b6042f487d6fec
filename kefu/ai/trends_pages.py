"""The trends report (/reports/trends): the newest snapshot's topics with their change,
"Compute now", earlier snapshots, and each topic's tickets."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from kefu.ai import trends
from kefu.ai.trends_view import page_context, topic_context
from kefu.jobs import enqueue_after_commit
from kefu.kit import i18n
from kefu.kit.bounds import INT4_MAX
from kefu.permissions import require
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render

router = APIRouter()
HOME = "/reports/trends"
READ = "reports.read"
Id = Annotated[int, Path(ge=1, le=INT4_MAX)]


@router.get(HOME, response_class=HTMLResponse)
def trends_page(
    request: Request, session: DbSession, actor: PageActor,
    snapshot: Annotated[int | None, Query(ge=1, le=INT4_MAX)] = None,
) -> Response:  # fmt: skip
    i18n.current_language.set(language_for(request))
    require(actor, READ)
    context = page_context(session, snapshot) | {"days": trends.DAYS}
    return render(request, "ai/trends.html", context)


@router.post(HOME + "/run", dependencies=[CsrfProtected])
def compute_now(request: Request, session: DbSession, actor: PageActor) -> Response:
    i18n.current_language.set(language_for(request))
    require(actor, READ)
    enqueue_after_commit(session, trends.JOB, actor.ref)
    return redirect(
        HOME,
        i18n.gettext("Computing the topics. Reload this page in a minute or two to see them."),
    )


@router.get(HOME + "/topics/{topic_id}", response_class=HTMLResponse)
def topic_page(request: Request, session: DbSession, actor: PageActor, topic_id: Id) -> Response:
    i18n.current_language.set(language_for(request))
    require(actor, READ)
    return render(request, "ai/trend_topic.html", topic_context(session, topic_id))
