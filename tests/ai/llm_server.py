"""A tiny OpenAI-compatible chat-completions server on 127.0.0.1 for the endpoint's tests: it
stands in for llama.cpp or Ollama (external products) and records what it was sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ChatServer:
    url: str = ""
    mode: str = "ok"  # ok | error (HTTP 500) | hang (answers only when released) | junk
    answer: str = "Wants: a new mug.\nDone: nothing yet.\nPending: replacement."
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _handler(state: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return None

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append({"path": self.path, "headers": dict(self.headers),
                                   "body": json.loads(body or b"{}")})  # fmt: skip
            if state.mode == "hang":
                state.release.wait(30)
            if state.mode == "error":
                self._send(500, {"error": {"message": "model failed to load"}})
            elif state.mode == "junk":
                self._send(200, {"unexpected": True})
            elif self.path != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}"}})
            else:
                self._send(200, {
                    "id": "chatcmpl-1", "object": "chat.completion", "model": "tiny",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": state.answer}}],
                })  # fmt: skip

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (a timeout test)
                pass

    return Handler


@contextmanager
def chat_server() -> Iterator[ChatServer]:
    state = ChatServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
