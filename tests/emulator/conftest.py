"""Fixtures of the emulator tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from emu_support import Api

from cloudbase_auth_mw.emulator import Emulator


@pytest.fixture
def api(emulator: Emulator) -> Iterator[Api]:
    client = Api(emulator)
    yield client
    client.session.close()


@pytest.fixture
def alice(emulator: Emulator) -> Any:
    return emulator.add_user(
        username="alice",
        password="Passw0rd!",
        email="alice@example.com",
        phone_number="13800000000",
    )
