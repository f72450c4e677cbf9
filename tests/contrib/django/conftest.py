"""Fixtures for the Django integration tests (Django is configured on import: see settings)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cbauth_django_settings import configure

configure()

from cloudbase_auth_mw.contrib.django.conf import override_guard  # noqa: E402
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig  # noqa: E402
from cloudbase_auth_mw.emulator import Emulator  # noqa: E402
from cloudbase_auth_mw.guard import CloudBaseGuard  # noqa: E402

PASSWORD = "Passw0rd!"


@pytest.fixture
def guard(emulator_config: CloudBaseAuthConfig) -> Iterator[CloudBaseGuard]:
    """A guard on the emulator, installed as the process guard for this test."""
    built = CloudBaseGuard(emulator_config)
    with override_guard(built):
        yield built
    built.close()


@pytest.fixture
def alice(emulator: Emulator) -> str:
    """A password user in group ``user``; returns the sub."""
    return emulator.add_user(
        username="alice", password=PASSWORD, name="Alice", email="alice@example.com"
    ).sub


@pytest.fixture
def alice_token(emulator: Emulator, alice: str) -> str:
    return emulator.mint_access_token(alice)
