"""Fixtures for the plain WSGI middleware tests."""

from __future__ import annotations

from typing import Any

import pytest

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard


@pytest.fixture
def config(emulator: Emulator) -> CloudBaseAuthConfig:
    return CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url)


@pytest.fixture
def guard(config: CloudBaseAuthConfig) -> CloudBaseGuard:
    return CloudBaseGuard(config)


@pytest.fixture
def alice(emulator: Emulator) -> Any:
    return emulator.add_user(username="alice", password="Passw0rd!", name="Alice", groups=("user",))


@pytest.fixture
def token(emulator: Emulator, alice: Any) -> str:
    return str(emulator.mint_access_token(alice.sub))
