"""HTTP value objects and the ``Flow`` protocol that keeps core free of I/O.

Core logic that needs the network (key set, introspection, profile, every client call) is
written once, as a generator that *yields* an :class:`HttpRequest` and *receives* an
:class:`HttpResponse`. The drivers in :mod:`cloudbase_auth_mw.transport` are the only loops
that perform I/O: ``run_sync`` (requests) and ``run_async`` (httpx). A transport failure is
thrown back into the flow as :class:`TransportError`, so policies such as "serve stale keys
during a blip" live once, in core.

A request may carry a ``coalesce_key``: drivers then run at most one such request at a time
and hand its response to every flow that asked meanwhile (single-flight).
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One outgoing HTTP request, described as data."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    json_body: Any = None
    #: Requests with the same key are collapsed into one in-flight call by the drivers.
    coalesce_key: str | None = None
    #: Whether a driver may retry this request after a connection failure.
    idempotent: bool = False

    def __repr__(self) -> str:  # never show headers or body: they carry tokens
        return f"HttpRequest({self.method} {self.url})"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One HTTP response as data: status, lower-cased headers and the raw body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    elapsed: float = 0.0

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` when it is not JSON)."""
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"HttpResponse({self.status}, {len(self.body)} bytes)"


class TransportError(Exception):
    """The request never produced an HTTP response (refused, reset, timed out, DNS...).

    Drivers throw it into the flow; the message names the URL and the cause, never a header.
    """


#: A core computation that may need HTTP: yields requests, receives responses, returns ``T``.
Flow = Generator[HttpRequest, HttpResponse, T]


def no_io(value: T) -> Flow[T]:
    """A flow that needs no network and returns ``value`` at once."""
    return value
    yield  # pragma: no cover  (makes this function a generator)
