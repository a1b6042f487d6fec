"""The Settings page: every admin area in one place, grouped and shown by permission, so the
top bar keeps only the pages people work in every day."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.errors import PermissionDenied
from kefu.web.deps import PageActor
from kefu.web.settings_sections import GROUPS, visible_sections
from kefu.web.templating import render

router = APIRouter()


@router.get("/admin", response_class=HTMLResponse)
def settings_page(request: Request, actor: PageActor) -> Response:
    sections = visible_sections(actor)
    if not sections:
        raise PermissionDenied("your role has no settings to manage")
    groups = [(g, [s for s in sections if s.group == g]) for g in GROUPS]
    return render(request, "settings.html", {"groups": [(g, s) for g, s in groups if s]})
