"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1 for tests.

Each request takes the next scripted ``Reply`` (or the default when the script is
empty) and every request body is recorded. An ``Answer`` is rendered in the shape the
request asks for: a tool call when the request offers tools (instructor's TOOLS mode),
else message content (JSON modes; fenced for MD_JSON requests is not needed: instructor
also reads bare JSON there).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}


@dataclass
class Answer:
    """A model answer: ``payload`` as JSON, or ``raw`` text sent as it is (malformed JSON)."""

    payload: dict[str, Any] | None = None
    raw: str | None = None

    def text(self) -> str:
        return self.raw if self.raw is not None else json.dumps(self.payload, ensure_ascii=False)


@dataclass
class Reply:
    answer: Answer | None = None  # None: send ``body`` as it is
    status: int = 200
    body: dict[str, Any] | str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    usage: dict[str, int] | None = field(default_factory=lambda: dict(USAGE))

    def render(self, request: dict[str, Any]) -> bytes:
        if self.answer is None:
            body = self.body if self.body is not None else {"error": {"message": "scripted error"}}
            return (body if isinstance(body, str) else json.dumps(body)).encode()
        return json.dumps(
            completion(self.answer.text(), request, self.usage), ensure_ascii=False
        ).encode()


def completion(text: str, request: dict[str, Any], usage: dict[str, int] | None) -> dict[str, Any]:
    tools = request.get("tools") or []
    if tools:
        call = {
            "id": "c1",
            "type": "function",
            "function": {"name": tools[0]["function"]["name"], "arguments": text},
        }
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
        finish = "tool_calls"
    else:
        message, finish = {"role": "assistant", "content": text}, "stop"
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake-model"),
        "choices": [{"index": 0, "finish_reason": finish, "message": message}],
    }
    if usage is not None:
        body["usage"] = usage
    return body


class FakeLLM:
    """Start with ``start()``; script with ``push``; read ``requests``; ``stop()`` at the end."""

    def __init__(self, default: Reply | None = None) -> None:
        self.script: deque[Reply] = deque()
        self.default = default
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeLLM:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def push(self, *replies: Reply) -> None:
        with self.lock:
            self.script.extend(replies)

    def take(self, request: dict[str, Any]) -> Reply:
        with self.lock:
            self.requests.append(request)
            if self.script:
                return self.script.popleft()
        return self.default or Reply(status=500, body={"error": {"message": "no scripted reply"}})


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            reply = fake.take(request)
            time.sleep(reply.delay)
            data = reply.render(request)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
