"""pytest fixtures around the emulator.

Register with ``pytest_plugins = ["cloudbase_auth_mw.testing.pytest_plugin"]``.

- ``emulator``: a started :class:`~cloudbase_auth_mw.emulator.Emulator` (env ``test-env``),
  fresh for each test. RSA key material is pooled per process, so this costs a socket and a
  thread, not a key generation.
- ``emulator_config``: a :class:`~cloudbase_auth_mw.core.config.CloudBaseAuthConfig` pointing
  at it (``base_url=emulator.base_url``; JWKS at ``{base_url}/auth/v1/certs``).
- ``emulator_factory``: ``make(**Emulator kwargs)`` for tests that need other settings;
  every emulator it made is stopped at teardown.
- ``nonblocking_guard``: a :class:`~cloudbase_auth_mw.guard.CloudBaseGuard` on
  ``emulator_config`` whose sync transport is a
  :class:`~cloudbase_auth_mw.testing.transports.NoBlockingTransport`: for async adapters,
  where any blocking call fails the test. It is not closed here (closing its async transport
  needs the event loop): let the app's lifespan ``await guard.aclose()``, or do it yourself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ..core.config import CloudBaseAuthConfig
from ..emulator import Emulator
from ..guard import CloudBaseGuard
from .transports import NoBlockingTransport


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """Build and start emulators with any constructor options; all stop at teardown."""
    started: list[Emulator] = []

    def make(**options: Any) -> Emulator:
        emu = Emulator(**options).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(emulator_factory: Callable[..., Emulator]) -> Emulator:
    """A started emulator for env ``test-env``, fresh for this test."""
    return emulator_factory()


@pytest.fixture
def emulator_config(emulator: Emulator) -> CloudBaseAuthConfig:
    """Library settings pointing at :func:`emulator`."""
    return CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url)


@pytest.fixture
def nonblocking_guard(emulator_config: CloudBaseAuthConfig) -> CloudBaseGuard:
    """A guard on :func:`emulator` that fails the test on any blocking (sync) call."""
    return CloudBaseGuard(emulator_config, transport=NoBlockingTransport())
