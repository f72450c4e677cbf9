"""Fixtures for the client tests: a tiny scripted HTTP server for headers and faults.

The emulator (``emulator`` fixture of ``cloudbase_auth_mw.testing.pytest_plugin``) is the
service for behaviour tests; this server is only for what the emulator cannot show: the exact
headers a client sends, 5xx and non-JSON answers, and how many attempts a call makes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import ThreadingHTTPServer

import pytest
from client_support import AnyClient, Scripted, scripted_handler

from cloudbase_auth_mw.client import AsyncCloudBaseAuthClient, CloudBaseAuthClient


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    """A running :class:`Scripted` server on 127.0.0.1."""
    script = Scripted()
    server = ThreadingHTTPServer(("127.0.0.1", 0), scripted_handler(script))
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
