"""The reviews page: negative and neutral reviews with their follow-up tickets, the outcome
an agent records, and the marketplace CSV import."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kefu.commerce import stores
from kefu.errors import InvalidInput, KefuError, refusal_message
from kefu.feedback import review_import, reviews
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, text
from kefu.web.templating import render

router = APIRouter()
MAX_FILE = 20_000_000


def _page(request: Request, session: Any, **extra: Any) -> Response:
    now = request.app.state.runtime.clock()
    context = {
        "reviews": reviews.follow_up_reviews(session),
        "rates": reviews.review_rates(session, since=now - timedelta(days=90), until=now),
        "stores": stores.list_stores(session),
        "platforms": review_import.PLATFORMS,
        "outcomes": reviews.OUTCOMES,
        "error": None,
        "report": None,
        **extra,
    }
    return render(request, "feedback/reviews.html", context, status=extra.get("status", 200))


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "tickets.read")
    return _page(request, session)


@router.post("/reviews/{review_id}/outcome", dependencies=[CsrfProtected])
def save_outcome(
    review_id: int, request: Request, session: DbSession, actor: PageActor, form: Form
) -> Response:
    try:
        data = reviews.OutcomeIn(
            outcome=text(form, "outcome"), public_reply=text(form, "public_reply")
        )  # type: ignore[arg-type]
        with session.begin_nested():
            reviews.record_outcome(
                session,
                actor=actor,
                review_id=review_id,
                data=data,
                now=request.app.state.runtime.clock(),
            )
    except (ValidationError, KefuError) as exc:
        status = exc.status if isinstance(exc, KefuError) else 422
        return _page(request, session, error=refusal_message(exc), status=status)
    return flash.redirect("/reviews", _("Outcome saved."))


@router.post("/reviews/import", dependencies=[CsrfProtected])
async def import_reviews(
    request: Request, session: DbSession, actor: PageActor, form: Form
) -> Response:
    require(actor, "rules.manage")
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("choose a CSV file")
        data = await upload.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            raise InvalidInput("the file is over 20 MB")
        store_id = text(form, "store_id")
        counts, problems = review_import.import_csv(
            session,
            store_id=int(store_id) if store_id.isdigit() else 0,
            platform=text(form, "platform"),
            data=data,
            now=request.app.state.runtime.clock(),
        )
    except KefuError as exc:
        return _page(request, session, error=refusal_message(exc), status=exc.status)
    return _page(request, session, report={"counts": dict(counts), "problems": problems[:50]})
