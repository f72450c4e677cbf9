"""Fixtures for the client tests: a tiny scripted HTTP server for headers and faults.

The emulator (``emulator`` fixture of ``cloudbase_auth_mw.testing.pytest_plugin``) is the
service for behaviour tests; this server is only for what the emulator cannot show: the exact
headers a client sends, 5xx and non-JSON answers, and how many attempts a call makes.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from cloudbase_auth_mw.client import AsyncCloudBaseAuthClient, CloudBaseAuthClient

AnyClient = CloudBaseAuthClient | AsyncCloudBaseAuthClient


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


def _handler(script: Scripted) -> type[BaseHTTPRequestHandler]:
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
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    """A running :class:`Scripted` server on 127.0.0.1."""
    script = Scripted()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield script
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(params=["sync", "async"])
async def make_client(request: pytest.FixtureRequest) -> AsyncIterator[Callable[..., AnyClient]]:
    """A factory of clients, once sync (requests) and once async (httpx); closed afterwards."""
    made: list[AnyClient] = []
    kind = CloudBaseAuthClient if request.param == "sync" else AsyncCloudBaseAuthClient

    def make(**kwargs: object) -> AnyClient:
        kwargs.setdefault("env_id", "test-env")
        client = kind(**kwargs)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        if isinstance(client, AsyncCloudBaseAuthClient):
            await client.aclose()
        else:
            client.close()
