"""The adapter contract: one table of scenarios, run against every adapter.

Each adapter's ``test_<adapter>.py`` provides a factory ``make_client(guard) -> ContractClient``
that builds a small app with the standard routes below, wired to ``guard``, and returns a
client that sends requests through the framework's real test client (or a real server):

=============  =================================================================
``/public``    no auth required; ``{"user": <sub or null>}``
``/private``   login required (CloudBase anonymous users allowed);
               ``{"user": sub, "anonymous": bool}``
``/members``   login required, CloudBase anonymous users refused; ``{"user": sub}``
``/admin``     group ``admin`` required; ``{"user": sub}``
``/profile``   login required; ``{"user": sub, "name": <profile name>}``
=============  =================================================================

Every row checks the status, the ``WWW-Authenticate`` challenge (or ``Retry-After``) and the
user the route saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard


@dataclass(frozen=True)
class ContractResponse:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    json: Any

    @classmethod
    def of(cls, status: int, headers: Iterable[tuple[str, str]], json: Any) -> ContractResponse:
        """A response from a framework's status, header items (any case) and decoded body."""
        return cls(status, {name.lower(): value for name, value in headers}, json)


class ContractClient(Protocol):
    def get(self, path: str, headers: Mapping[str, str]) -> ContractResponse: ...


ClientFactory = Callable[[CloudBaseGuard], ContractClient]


class AsgiContractClient:
    """Sends each request inside ``with TestClient(app)``: lifespan startup, request, shutdown.

    For every ASGI adapter (plain middleware, Starlette, FastAPI); Starlette's ``TestClient`` is
    imported on use, so the other adapters' contract tests run without Starlette installed.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def get(self, path: str, headers: Mapping[str, str]) -> ContractResponse:
        from starlette.testclient import TestClient

        with TestClient(self.app) as client:
            response = client.get(path, headers=dict(headers))
        return ContractResponse.of(response.status_code, response.headers.items(), response.json())


class FakeClock:
    """A clock the test moves by hand (the guard's caches and claim checks read it)."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Stage:
    """What a scenario prepared: the guard to build the app with and how to call it."""

    emulator: Emulator
    clock: FakeClock
    config_overrides: dict[str, Any] = field(default_factory=dict)


def build_guard(emulator: Emulator, clock: FakeClock, **overrides: Any) -> CloudBaseGuard:
    config = CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url, **overrides)
    return CloudBaseGuard(config, clock=clock)
