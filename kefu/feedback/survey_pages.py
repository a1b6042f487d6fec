"""The customers' survey pages, no sign-in: the GET page only shows the choice from the mail
preselected with a Submit button (mail scanners prefetch links, so a GET records nothing);
the POST records the answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.config import secret_key
from kefu.errors import KefuError, NotFound, refusal_message
from kefu.feedback import csat, nps
from kefu.feedback.tokens import read_token
from kefu.kit.actor import Actor
from kefu.web.deps import CsrfProtected, DbSession
from kefu.web.forms import Form, optional_int, text
from kefu.web.templating import render

router = APIRouter()
# Who the audit log names for an answer: the customer holding the signed link.
CUSTOMER = Actor(kind="system", name="customer (survey link)")


def _survey_id(request: Request, token: str, kind: str) -> int | None:
    runtime = request.app.state.runtime
    return read_token(token, kind=kind, key=secret_key(runtime.settings), now=runtime.clock())


def _csat_page(request: Request, session: Any, token: str, **extra: Any) -> Response:
    survey_id = _survey_id(request, token, "c")
    try:
        survey = csat.survey_view(session, survey_id) if survey_id else None
    except NotFound:
        survey = None
    if survey is None:
        return render(request, "feedback/survey.html", {"invalid": True}, status=404)
    chosen = extra.pop("chosen", None) or survey.rating
    if survey.scale == "five":
        chosen = extra.get("score_choice") or (str(survey.score) if survey.score else None)
    context = {
        "survey": survey,
        "token": token,
        "chosen": chosen,
        "zh": survey.language.startswith("zh"),
        **extra,
    }
    return render(request, "feedback/survey.html", context, status=extra.get("status", 200))


@router.get("/feedback/csat/{token}", response_class=HTMLResponse)
def csat_survey_page(
    token: str,
    request: Request,
    session: DbSession,
    rating: str | None = None,
    score: str | None = None,
) -> Response:
    chosen = rating if rating in csat.RATINGS else None
    score_choice = score if score in ("1", "2", "3", "4", "5") else None
    return _csat_page(request, session, token, chosen=chosen, score_choice=score_choice)


@router.post("/feedback/csat/{token}", dependencies=[CsrfProtected])
def rate(token: str, request: Request, session: DbSession, form: Form) -> Response:
    survey_id = _survey_id(request, token, "c")
    if survey_id is None:
        return render(request, "feedback/survey.html", {"invalid": True}, status=404)
    session.info["actor"] = CUSTOMER
    try:
        with session.begin_nested():
            csat.record_rating(
                session,
                now=request.app.state.runtime.clock(),
                survey_id=survey_id,
                rating=text(form, "rating") or None,
                score=optional_int(form, "score"),
                comment=text(form, "comment"),
                reason=text(form, "reason") or None,
            )
    except KefuError as exc:
        if isinstance(exc, NotFound):
            return render(request, "feedback/survey.html", {"invalid": True}, status=404)
        return _csat_page(request, session, token, error=refusal_message(exc), status=422)
    return render(request, "feedback/survey.html", {"done": True})


def _nps_page(request: Request, session: Any, token: str, **extra: Any) -> Response:
    survey_id = _survey_id(request, token, "n")
    view = nps.survey_view(session, survey_id) if survey_id else None
    if view is None:
        return render(request, "feedback/nps_survey.html", {"invalid": True}, status=404)
    context = {"survey": view, "token": token, **extra}
    return render(request, "feedback/nps_survey.html", context, status=extra.get("status", 200))


@router.get("/feedback/nps/{token}", response_class=HTMLResponse)
def nps_survey_page(
    token: str, request: Request, session: DbSession, score: str | None = None
) -> Response:
    chosen = int(score) if score and score.isdigit() and int(score) <= 10 else None
    return _nps_page(request, session, token, chosen=chosen)


@router.post("/feedback/nps/{token}", dependencies=[CsrfProtected])
def answer_nps(token: str, request: Request, session: DbSession, form: Form) -> Response:
    survey_id = _survey_id(request, token, "n")
    if survey_id is None:
        return render(request, "feedback/nps_survey.html", {"invalid": True}, status=404)
    session.info["actor"] = CUSTOMER
    try:
        with session.begin_nested():
            nps.record_answer(
                session,
                survey_id=survey_id,
                score=optional_int(form, "score"),
                comment=text(form, "comment"),
                now=request.app.state.runtime.clock(),
            )
    except KefuError as exc:
        if isinstance(exc, NotFound):
            return render(request, "feedback/nps_survey.html", {"invalid": True}, status=404)
        return _nps_page(request, session, token, error=refusal_message(exc), status=422)
    return render(request, "feedback/nps_survey.html", {"done": True})
