"""Fixtures shared by the adapter tests: the emulator user ``alice``, her tokens, the settings
and a guard for async adapters (any blocking call fails the test). A subfolder whose adapter
is sync overrides ``guard``; Django has its own ``guard`` and ``alice``."""

from __future__ import annotations

from typing import Any

import pytest

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard


@pytest.fixture
def config(emulator_config: CloudBaseAuthConfig) -> CloudBaseAuthConfig:
    return emulator_config


@pytest.fixture
def guard(nonblocking_guard: CloudBaseGuard) -> CloudBaseGuard:
    return nonblocking_guard


@pytest.fixture
def alice(emulator: Emulator) -> Any:
    """A password user in group ``user``."""
    return emulator.add_user(username="alice", password="Passw0rd!", name="Alice")


@pytest.fixture
def token(emulator: Emulator, alice: Any) -> str:
    return str(emulator.mint_access_token(alice.sub))


@pytest.fixture
def admin_token(emulator: Emulator, alice: Any) -> str:
    return str(emulator.mint_access_token(alice.sub, scope="user sso", groups=("user", "admin")))
