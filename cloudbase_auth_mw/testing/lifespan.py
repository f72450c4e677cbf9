"""An ASGI ``lifespan`` for test apps (Starlette, FastAPI) that own a guard."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from ..guard import CloudBaseGuard


def closing_lifespan(guard: CloudBaseGuard) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A lifespan that closes ``guard``'s async connections at shutdown.

    ``Starlette(..., lifespan=closing_lifespan(guard))`` or ``FastAPI(lifespan=...)``: with
    ``with TestClient(app):`` the pooled connections are closed on the loop that opened them.
    """

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield
        await guard.aclose()

    return lifespan
