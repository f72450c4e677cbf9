"""The two flow drivers: the only loops that turn core's ``HttpRequest`` into real I/O.

Both implement the same rules:

- a :class:`TransportError` is thrown back into the flow, which decides what it means;
- an ``idempotent`` request is retried once after a transport error;
- requests with the same ``coalesce_key`` are single-flight: one goes out, every flow that asks
  meanwhile receives the same response. The key is released only after the leading flow has
  consumed the response (stored the keys, say), so a late flow sees the cache instead of
  starting a second fetch.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

from ..core.http import Flow, HttpRequest, HttpResponse, TransportError
from .base import AsyncTransport, SyncTransport

T = TypeVar("T")
_Sent = tuple[HttpResponse | None, TransportError | None]
_Outcome = tuple[HttpResponse | None, TransportError | None, Callable[[], None] | None]


def _advance(
    flow: Flow[T], response: HttpResponse | None, error: TransportError | None
) -> HttpRequest:
    """Resume ``flow`` with a response or an error; ``StopIteration`` carries its result."""
    if error is not None:
        return flow.throw(error)
    return flow.send(response)  # type: ignore[arg-type]  # None starts a fresh generator


class _SyncCall:
    __slots__ = ("done", "error", "response")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.response: HttpResponse | None = None
        self.error: TransportError | None = None


class SyncRunner:
    """Runs flows in the calling thread with a :class:`SyncTransport`; thread-safe."""

    def __init__(self, transport: SyncTransport) -> None:
        self.transport = transport
        self._lock = threading.Lock()
        self._inflight: dict[str, _SyncCall] = {}

    def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to completion and return its result (or raise its error)."""
        response: HttpResponse | None = None
        error: TransportError | None = None
        release: Callable[[], None] | None = None
        while True:
            try:
                request = _advance(flow, response, error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            finally:
                if release is not None:
                    release()
            response, error, release = self._perform(request)

    def _send(self, request: HttpRequest) -> _Sent:
        attempts = 2 if request.idempotent else 1
        for attempt in range(attempts):
            try:
                return self.transport.send(request), None
            except TransportError as exc:
                if attempt + 1 == attempts:
                    return None, exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _perform(self, request: HttpRequest) -> _Outcome:
        key = request.coalesce_key
        if key is None:
            return (*self._send(request), None)
        with self._lock:
            call = self._inflight.get(key)
            leader = call is None
            if call is None:
                call = self._inflight[key] = _SyncCall()
        if not leader:
            call.done.wait()
            return call.response, call.error, None
        call.response, call.error = self._send(request)
        call.done.set()

        def release() -> None:
            with self._lock:
                self._inflight.pop(key, None)

        return call.response, call.error, release


class AsyncRunner:
    """Runs flows as coroutines with an :class:`AsyncTransport`; never blocks the loop."""

    def __init__(self, transport: AsyncTransport) -> None:
        self.transport = transport
        self._inflight: dict[tuple[int, str], asyncio.Future[_Sent]] = {}

    async def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to completion and return its result (or raise its error)."""
        response: HttpResponse | None = None
        error: TransportError | None = None
        release: Callable[[], None] | None = None
        while True:
            try:
                request = _advance(flow, response, error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            finally:
                if release is not None:
                    release()
            response, error, release = await self._perform(request)

    async def _send(self, request: HttpRequest) -> _Sent:
        attempts = 2 if request.idempotent else 1
        for attempt in range(attempts):
            try:
                return await self.transport.send(request), None
            except TransportError as exc:
                if attempt + 1 == attempts:
                    return None, exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _perform(self, request: HttpRequest) -> _Outcome:
        if request.coalesce_key is None:
            return (*await self._send(request), None)
        loop = asyncio.get_running_loop()
        key = (id(loop), request.coalesce_key)
        pending = self._inflight.get(key)
        if pending is not None:
            return (*await asyncio.shield(pending), None)
        future: asyncio.Future[_Sent] = loop.create_future()
        self._inflight[key] = future
        try:
            sent = await self._send(request)
        except BaseException:  # cancelled: let waiters retry on their own
            self._inflight.pop(key, None)
            future.cancel()
            raise
        future.set_result(sent)

        def release() -> None:
            self._inflight.pop(key, None)

        return (*sent, release)
