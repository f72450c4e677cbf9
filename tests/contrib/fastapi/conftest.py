"""Fixtures for the FastAPI tests: the emulator user, tokens and a guard that never blocks."""

from __future__ import annotations

from typing import Any

import pytest

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.http import HttpRequest, HttpResponse
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard


class NoBlockingTransport:
    """A sync transport that fails the test if used: ASGI adapters must never block the loop."""

    def send(self, request: HttpRequest) -> HttpResponse:
        raise AssertionError(f"blocking I/O from an async adapter: {request!r}")

    def close(self) -> None:
        pass


@pytest.fixture
def config(emulator: Emulator) -> CloudBaseAuthConfig:
    return CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url)


@pytest.fixture
def guard(config: CloudBaseAuthConfig) -> CloudBaseGuard:
    return CloudBaseGuard(config, transport=NoBlockingTransport())


@pytest.fixture
def alice(emulator: Emulator) -> Any:
    return emulator.add_user(username="alice", password="Passw0rd!", name="Alice")


@pytest.fixture
def token(emulator: Emulator, alice: Any) -> str:
    return str(emulator.mint_access_token(alice.sub))


@pytest.fixture
def admin_token(emulator: Emulator, alice: Any) -> str:
    return str(emulator.mint_access_token(alice.sub, scope="user sso", groups=("user", "admin")))
