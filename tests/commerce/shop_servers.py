"""Shopify and WooCommerce on loopback: threaded HTTP servers answering the providers'
documented request and response formats (tests/commerce/fixtures), recording every request,
and refusing with a documented error body when told to."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.commerce.shop_factories import API_TOKEN, WOO_KEY, WOO_SECRET, fixture

SHOPIFY_API = "/admin/api/2024-10"
WOO_API = "/wp-json/wc/v3"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class ShopServer:
    """One provider's API. `orders` is what the order list pages through; `refuse` makes
    every request from the `refuse_from`th on answer (status, body) until cleared."""

    def __init__(self, platform: str, *, page_size: int = 2) -> None:
        self.platform = platform
        self.page_size = page_size
        self.orders: list[dict[str, Any]] = []
        self.requests: list[Recorded] = []
        self.refuse: tuple[int, Any] | None = None
        self.refuse_from = 1  # the first request (1-based) `refuse` answers
        self.url = ""
        self._server: ThreadingHTTPServer | None = None

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    def answer(self, request: Recorded) -> Answer:
        if self.platform == "shopify":
            if request.headers.get("x-shopify-access-token") != API_TOKEN:
                message = (
                    "[API] Invalid API key or access token (unrecognized login or wrong password)"
                )
                return Answer(401, {"errors": message})
        elif not _woo_authenticated(request):
            return Answer(
                401,
                {
                    "code": "woocommerce_rest_cannot_view",
                    "message": "Sorry, you cannot list resources.",
                    "data": {"status": 401},
                },
            )
        if self.refuse is not None and len(self.requests) >= self.refuse_from:
            return Answer(*self.refuse)
        route = shopify_route if self.platform == "shopify" else woo_route
        return route(self, request)

    @contextmanager
    def running(self) -> Iterator[ShopServer]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


def _woo_authenticated(request: Recorded) -> bool:
    given = request.headers.get("authorization", "")
    if given.lower().startswith("basic "):
        pair = base64.b64decode(given[6:]).decode()
        return pair == f"{WOO_KEY}:{WOO_SECRET}"
    return request.query.get("consumer_key") == [WOO_KEY] and request.query.get(
        "consumer_secret"
    ) == [WOO_SECRET]


def _page(server: ShopServer, start: int) -> tuple[list[dict[str, Any]], bool]:
    chunk = server.orders[start : start + server.page_size]
    return chunk, start + server.page_size < len(server.orders)


def shopify_route(server: ShopServer, request: Recorded) -> Answer:
    path, body = request.path.removeprefix(SHOPIFY_API), request.body or {}
    if request.method == "GET" and path == "/orders.json":
        cursor = (request.query.get("page_info") or ["p0"])[0]
        start = int(cursor.removeprefix("p"))
        orders, more = _page(server, start)
        headers = {}
        if more:
            limit = (request.query.get("limit") or ["250"])[0]
            cursor = f"p{start + server.page_size}"
            following = f"{server.url}{SHOPIFY_API}/orders.json?limit={limit}&page_info={cursor}"
            headers["Link"] = f'<{following}>; rel="next"'
        return Answer(200, {"orders": orders}, headers)
    if match := re.fullmatch(r"/orders/(\d+)/refunds/calculate\.json", path):
        return Answer(200, fixture("shopify/refund_calculate.json"))
    if match := re.fullmatch(r"/orders/(\d+)/refunds\.json", path):
        return Answer(201, fixture("shopify/refund_created.json"))
    if match := re.fullmatch(r"/orders/(\d+)/cancel\.json", path):
        cancelled = {
            "id": int(match.group(1)),
            "cancelled_at": "2024-01-02T09:10:00-05:00",
            "cancel_reason": body.get("reason"),
        }
        return Answer(200, {"order": cancelled})
    if request.method == "PUT" and (match := re.fullmatch(r"/orders/(\d+)\.json", path)):
        order = {"id": int(match.group(1)), **(body.get("order") or {})}
        return Answer(200, {"order": order})
    if request.method == "POST" and path == "/orders.json":
        return Answer(201, {"order": {"id": 1073459984, "name": "#1002", "order_number": 1002}})
    if request.method == "POST" and path == "/gift_cards.json":
        card = fixture("shopify/gift_card.json")
        card["gift_card"]["code"] = body["gift_card"].get("code") or card["gift_card"]["code"]
        return Answer(201, card)
    return Answer(404, {"errors": "Not Found"})


def woo_route(server: ShopServer, request: Recorded) -> Answer:
    path, body = request.path.removeprefix(WOO_API), request.body or {}
    if request.method == "GET" and path == "/orders":
        page = int((request.query.get("page") or ["1"])[0])
        orders, _more = _page(server, (page - 1) * server.page_size)
        pages = max(1, -(-len(server.orders) // server.page_size))
        headers = {"X-WP-Total": str(len(server.orders)), "X-WP-TotalPages": str(pages)}
        return Answer(200, orders, headers)
    if re.fullmatch(r"/orders/(\d+)/refunds", path):
        refund = fixture("woocommerce/refund_created.json")
        refund["amount"] = body.get("amount", refund["amount"])
        return Answer(201, refund)
    if request.method == "PUT" and (match := re.fullmatch(r"/orders/(\d+)", path)):
        return Answer(200, {**fixture("woocommerce/order.json"), **body, "id": int(match.group(1))})
    if request.method == "POST" and path == "/orders":
        return Answer(201, {**fixture("woocommerce/order.json"), "id": 728, "number": "728"})
    if request.method == "POST" and path == "/coupons":
        return Answer(201, {**fixture("woocommerce/coupon.json"), "code": body.get("code")})
    return Answer(
        404,
        {
            "code": "rest_no_route",
            "message": "No route was found matching the URL and request method.",
            "data": {"status": 404},
        },
    )


def _handler_for(shop: ShopServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            request = Recorded(
                method=self.command,
                path=split.path,
                query=parse_qs(split.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            shop.requests.append(request)
            answer = shop.answer(request)
            payload = json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler
