"""create_app(): the FastAPI application; the runtime is built in its lifespan, not at import."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from kefu import __version__
from kefu.accounts.throttle import SignInThrottle
from kefu.api.openapi import install_openapi
from kefu.channels.chat.routes import ChatCors
from kefu.channels.email.fetchers import Fetchers
from kefu.config import Settings
from kefu.jobs import start_consumer
from kefu.kb.helpcenter.hosts import HelpCenterHosts
from kefu.runtime import Runtime, start, stop
from kefu.web.body_limit import RequestBodyLimit
from kefu.web.errors import install_error_handlers
from kefu.web.templating import make_templates

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"

API_DESCRIPTION = """The kefu REST API. Authenticate with an API token created under
*Account → API tokens*: `Authorization: Bearer kefu_…`.

* Errors are `application/problem+json` with a stable `code` and a `detail` for people.
* Lists page by cursor: pass the `next_cursor` you got as `cursor` (the audit log: as
  `before_id`); `null` means the last page.
* POSTs take an `Idempotency-Key` header: a retry with the same key and body gets the first
  response again (`Idempotent-Replayed: true`) instead of acting twice.
* Files: upload with `POST /api/v1/attachments`, then name what it returns in a message."""
# Multipart framing and JSON around the largest allowed attachment.
BODY_SLACK_BYTES = 1_000_000


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_runtime = runtime is None
        app.state.runtime = runtime or start(settings)
        consumer = fetchers = None
        if settings.worker_in_process:
            consumer = start_consumer(
                app.state.runtime.queue, workers=settings.worker_threads, in_process=True
            )
            # Mailboxes are fetched by whichever process holds their lease (kefu.channels.email
            # .imap_lease), so every process running jobs may also run fetchers.
            fetchers = Fetchers(
                app.state.runtime.database, app.state.runtime.files, settings=settings
            ).start()
        try:
            yield
        finally:
            await app.state.runtime.broadcast.end_subscriptions()
            if fetchers is not None:
                await asyncio.to_thread(fetchers.stop)
            if consumer is not None:
                consumer.stop(graceful=True)
            if own_runtime:
                stop()

    app = FastAPI(
        title="kefu",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    if runtime is not None:
        app.state.runtime = runtime
    app.state.templates = make_templates()
    app.state.signin_throttle = SignInThrottle(
        redis_url=settings.redis_url, attempts_per_minute=settings.login_attempts_per_minute
    )
    app.state.max_body_bytes = settings.max_attachment_bytes + BODY_SLACK_BYTES
    app.add_middleware(RequestBodyLimit, max_bytes=app.state.max_body_bytes)
    app.add_middleware(HelpCenterHosts)
    app.add_middleware(ChatCors)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)
    _include_routers(app)
    install_openapi(app)
    return app


def routers() -> list[tuple[APIRouter, str, bool]]:
    """Every router with its prefix and whether it is part of the public API schema."""
    from kefu.accounts import admin_pages as account_admin_pages
    from kefu.accounts import pages as account_pages
    from kefu.accounts import profile_pages as account_profile_pages
    from kefu.accounts import routes as account_routes
    from kefu.ai import llm_pages as ai_llm_pages
    from kefu.ai import pages as ai_pages
    from kefu.ai import routes as ai_routes
    from kefu.ai import ticket_pages as ai_ticket_pages
    from kefu.ai import trends_pages as ai_trends_pages
    from kefu.ai.assistant import pages as assistant_pages
    from kefu.ai.suggest import pages as suggest_pages
    from kefu.analytics.reports import live_pages as report_live_pages
    from kefu.analytics.reports import pages as report_pages
    from kefu.analytics.reports import saved_pages as report_saved_pages
    from kefu.automation.assignment import pages as assignment_pages
    from kefu.automation.assignment import routes as assignment_routes
    from kefu.automation.macros import composer_pages as macro_composer_pages
    from kefu.automation.macros import pages as macro_pages
    from kefu.automation.macros import routes as macro_routes
    from kefu.automation.rules import pages as rule_pages
    from kefu.automation.rules import routes as rule_routes
    from kefu.automation.rules import webhook_pages as rule_webhook_pages
    from kefu.channels.chat import agent_pages as chat_agent_pages
    from kefu.channels.chat import api_routes as chat_api_routes
    from kefu.channels.chat import demo_store as chat_demo_store
    from kefu.channels.chat import report_pages as chat_report_pages
    from kefu.channels.chat import routes as chat_routes
    from kefu.channels.chat import settings_pages as chat_settings_pages
    from kefu.channels.chat import socket as chat_socket
    from kefu.channels.chat import widget_assets as chat_widget_assets
    from kefu.channels.email import failure_pages as email_failure_pages
    from kefu.channels.email import message_pages as email_message_pages
    from kefu.channels.email import pages as email_pages
    from kefu.channels.email import routes as email_routes
    from kefu.channels.phone import pages as phone_pages
    from kefu.channels.phone import routes as phone_routes
    from kefu.channels.phone import webhook_routes as phone_webhook_routes
    from kefu.commerce import action_pages as commerce_action_pages
    from kefu.commerce import action_routes as commerce_action_routes
    from kefu.commerce import approval_pages as commerce_approval_pages
    from kefu.commerce import approval_routes as commerce_approval_routes
    from kefu.commerce import (
        followup_pages,
        logistics_pages,
        logistics_routes,
        reconcile_pages,
        returns_pages,
        store_pages,
        store_routes,
        stuck_pages,
        webhook_routes,
    )
    from kefu.commerce import link_pages as commerce_link_pages
    from kefu.commerce import order_routes as commerce_order_routes
    from kefu.commerce import policy_pages as commerce_policy_pages
    from kefu.compliance import pages as compliance_pages
    from kefu.compliance import routes as compliance_routes
    from kefu.customers import routes as customer_routes
    from kefu.feedback import admin_pages as feedback_admin_pages
    from kefu.feedback import report_pages as feedback_report_pages
    from kefu.feedback import review_pages as feedback_review_pages
    from kefu.feedback import review_routes as feedback_review_routes
    from kefu.feedback import survey_pages as feedback_survey_pages
    from kefu.ingest import routes as ingest_routes
    from kefu.kb import category_pages as kb_category_pages
    from kefu.kb import composer_pages as kb_composer_pages
    from kefu.kb import editor_pages as kb_editor_pages
    from kefu.kb import pages as kb_pages
    from kefu.kb import routes as kb_routes
    from kefu.kb import version_pages as kb_version_pages
    from kefu.kb.helpcenter import admin_pages as helpcenter_admin_pages
    from kefu.kb.helpcenter import contact_pages as helpcenter_contact_pages
    from kefu.kb.helpcenter import pages as helpcenter_pages
    from kefu.sla import pages as sla_pages
    from kefu.sla import routes as sla_routes
    from kefu.tickets import attachment_routes, inbox_routes, notification_routes
    from kefu.tickets import live_pages as ticket_live_pages
    from kefu.tickets import pages as ticket_pages
    from kefu.tickets import routes as ticket_routes
    from kefu.tickets import search_pages as ticket_search_pages
    from kefu.tickets import ticket_pages as ticket_detail_pages
    from kefu.tickets import view_pages as ticket_view_pages
    from kefu.web import customer_pages, settings_hub
    from kefu.web import pages as web_pages
    from kefu.workforce import forecast_pages as workforce_forecast_pages
    from kefu.workforce import queue_pages as workforce_queue_pages
    from kefu.workforce.scheduling import (
        agent_pages as schedule_agent_pages,
    )
    from kefu.workforce.scheduling import (
        request_pages as schedule_request_pages,
    )
    from kefu.workforce.scheduling import (
        roster_pages as schedule_roster_pages,
    )
    from kefu.workforce.scheduling import (
        setup_pages as schedule_setup_pages,
    )
    from kefu.workforce.staffing import pages as workforce_staffing_pages

    page_modules = (
        web_pages,
        settings_hub,
        account_pages,
        account_admin_pages,
        account_profile_pages,
        email_pages,
        compliance_pages,
        ticket_search_pages,
        ticket_view_pages,  # before ticket_pages: /views/new is not the view "new"
        ticket_pages,
        ticket_detail_pages,
        customer_pages,
        ticket_live_pages,
        email_message_pages,
        email_failure_pages,
        commerce_action_pages,
        commerce_approval_pages,
        commerce_policy_pages,
        commerce_link_pages,
        store_pages,
        sla_pages,
        ai_pages,
        ai_ticket_pages,
        macro_pages,
        macro_composer_pages,
        assignment_pages,
        phone_pages,
    )
    pages = [(m.router, "", False) for m in page_modules]
    pages += [
        (m.router, "", False)
        for m in (logistics_pages, stuck_pages, reconcile_pages, returns_pages, followup_pages)
    ]
    pages += [(m.router, "", False) for m in (rule_webhook_pages, rule_pages)]
    pages += [
        (m.router, "", False)
        for m in (kb_pages, kb_editor_pages, kb_version_pages, kb_composer_pages, kb_category_pages)
    ]
    pages += [
        (m.router, "", False)
        for m in (helpcenter_admin_pages, helpcenter_contact_pages, helpcenter_pages)
    ]
    pages += [
        (m.router, "", False)
        for m in (
            feedback_survey_pages,
            feedback_admin_pages,
            feedback_report_pages,
            feedback_review_pages,
        )
    ]
    pages += [(m.router, "", False) for m in (workforce_queue_pages, workforce_forecast_pages)]
    pages += [
        (m.router, "", False)
        for m in (
            schedule_setup_pages,
            schedule_roster_pages,
            schedule_request_pages,
            schedule_agent_pages,
        )
    ]
    pages.append((workforce_staffing_pages.router, "", False))
    pages += [(chat_routes.router, "", False), (chat_socket.router, "", False)]
    pages += [
        (m.router, "", False) for m in (chat_agent_pages, chat_settings_pages, chat_report_pages)
    ]
    pages += [(m.router, "", False) for m in (report_pages, report_saved_pages, report_live_pages)]
    pages.append((assistant_pages.router, "", False))
    pages.append((suggest_pages.router, "", False))
    pages += [(ai_trends_pages.router, "", False), (ai_llm_pages.router, "", False)]
    pages += [(m.router, "", False) for m in (chat_widget_assets, chat_demo_store)]
    api_modules = (
        account_routes,
        compliance_routes,
        notification_routes,
        ticket_routes,
        attachment_routes,
        inbox_routes,
        customer_routes,
        ingest_routes,
        email_routes,
        commerce_action_routes,
        commerce_approval_routes,
        commerce_order_routes,
        store_routes,
        sla_routes,
        rule_routes,
        macro_routes,
        assignment_routes,
        kb_routes,
        phone_routes,
        ai_routes,
        chat_api_routes,
    )
    api = [(m.router, "/api/v1", True) for m in api_modules]
    # called by stores and carriers, not by API clients (docs/commerce-shop.md,
    # docs/commerce-logistics.md): not in the schema
    hooks = [(webhook_routes.router, "/api/v1", False), (logistics_routes.router, "/api/v1", False)]
    hooks += [(feedback_review_routes.router, "/api/v1", False)]
    hooks += [(phone_webhook_routes.router, "", False)]  # docs/phone.md
    return pages + api + hooks


def _include_routers(app: FastAPI) -> None:
    for router, prefix, in_schema in routers():
        app.include_router(router, prefix=prefix, include_in_schema=in_schema)


class Server(uvicorn.Server):
    """uvicorn that ends kefu's open event streams before waiting for connections to close.

    uvicorn waits for every open response before the lifespan shutdown runs, and an event
    stream never ends by itself: without this, one open ticket page holds every restart."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        runtime = getattr(getattr(app, "state", None), "runtime", None)
        if runtime is not None:
            await runtime.broadcast.end_subscriptions()
        await super().shutdown(sockets=sockets)
