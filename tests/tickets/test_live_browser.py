"""kefu-live.js in Chromium: two agents on one ticket see each other arrive, type and leave,
and the notification badge follows without a reload.

The ticket page is built in parallel, so the test serves a stand-in page wired the way
kefu.tickets.presence tells the page's author to."""

from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import ChoiceLoader, DictLoader

from kefu.app import create_app
from kefu.config import Settings
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.runtime import Runtime
from kefu.tickets.live_pages import presence_context
from kefu.web.deps import PageActor
from kefu.web.templating import render
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.conftest import STEP_TIMEOUT_MS
from tests.live import serving
from tests.tickets.rt_factories import assign, make_ticket
from tests.web.test_browser import fill_sign_in

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("patient_expect")]

STAND_IN = """{% extends "base.html" %}
{% block content %}
<h1>Ticket #{{ ticket_id }}</h1>
{% include "tickets/_presence.html" %}
<label for="reply">Reply</label>
<textarea id="reply" data-presence-typing></textarea>
{% endblock %}"""


def app_with_stand_in_ticket_page(settings: Settings, runtime: Runtime) -> FastAPI:
    app = create_app(settings, runtime=runtime)
    env = app.state.templates.env
    env.loader = ChoiceLoader([DictLoader({"stand_in_ticket.html": STAND_IN}), env.loader])

    @app.get("/stand-in/tickets/{ticket_id}", response_class=HTMLResponse)
    def ticket_page(request: Request, actor: PageActor, ticket_id: int) -> Response:
        return render(request, "stand_in_ticket.html", presence_context(request, ticket_id))

    return app


def presence_text(page: Any) -> str:
    return str(page.locator("[data-presence-ticket]").inner_text()).strip()


def test_agents_see_each_other_on_a_ticket_and_the_badge_follows(
    browser: Any, settings: Settings, runtime: Runtime, database: Database
) -> None:
    ada, bo = make_admin(database), make_agent(database, email="bo@example.com", name="Bo Chen")
    ticket = make_ticket(database)
    with serving(app_with_stand_in_ticket_page(settings, runtime)) as (base, _server):
        contexts = [browser.new_context(locale="en-US") for _ in range(2)]
        ada_page, bo_page = (c.new_page() for c in contexts)
        for page, email in ((bo_page, "bo@example.com"), (ada_page, "admin@example.com")):
            page.set_default_timeout(STEP_TIMEOUT_MS)
            fill_sign_in(page, base, email, PASSWORD)
            page.wait_for_url(f"{base}/")
        # given Bo is on the ticket alone
        bo_page.goto(f"{base}/stand-in/tickets/{ticket.id}")
        assert presence_text(bo_page) == ""
        # when Ada opens it, then Bo sees her arrive, without a reload
        ada_page.goto(f"{base}/stand-in/tickets/{ticket.id}")
        bo_page.get_by_text("Ada Admin is viewing").wait_for()
        assert presence_text(ada_page) == "Bo Chen is viewing"
        # when Ada types a reply, Bo sees that too
        ada_page.get_by_label("Reply").press_sequentially("On its way")
        bo_page.get_by_text("Ada Admin is typing…").wait_for()
        # when Ada goes elsewhere, she is gone from Bo's page at once
        ada_page.goto(f"{base}/")
        bo_page.get_by_text("Ada Admin is").wait_for(state="detached")
        # when Ada assigns Bo a ticket, Bo's bell shows it
        assign(database, ticket=ticket, to=bo.id, by=ada)
        dispatch_due(database)
        bo_page.locator(".notification-count", has_text="1").wait_for()
        assert bo_page.get_by_role("link", name="Notifications: 1 unread").is_visible()
        for context in contexts:
            context.close()
