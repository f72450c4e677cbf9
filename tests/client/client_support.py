"""Helpers shared by the client tests (a module name no other test folder uses)."""

from __future__ import annotations

import inspect
import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cloudbase_auth_mw.client import AsyncCloudBaseAuthClient, CloudBaseAuthClient

AnyClient = CloudBaseAuthClient | AsyncCloudBaseAuthClient


async def call(client: AnyClient, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``method`` on a sync or async client alike."""
    result = getattr(client, method)(*args, **kwargs)
    return await result if inspect.isawaitable(result) else result


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body) if self.body else None


@dataclass
class Scripted:
    """A loopback server that records requests and answers ``(status, body)`` in turn
    (the last answer repeats)."""

    url: str = ""
    answers: list[tuple[int, bytes]] = field(default_factory=lambda: [(200, b"{}")])
    seen: list[Seen] = field(default_factory=list)
    #: Seconds to wait before answering (for timeout tests; keep it well under a second).
    delay: float = 0.0

    def answer(self, status: int, body: bytes | dict[str, object]) -> None:
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        self.answers = [(status, raw)]

    def next_answer(self) -> tuple[int, bytes]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def scripted_handler(script: Scripted) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            parts = urlsplit(self.path)
            script.seen.append(
                Seen(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
            )
            status, body = script.next_answer()
            if script.delay:
                time.sleep(script.delay)
            try:
                self.send_response(status)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out first (the timeout tests)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler
