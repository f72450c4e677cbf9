"""Test helpers for projects using cloudbase_auth_mw: the emulator fixtures, token forgers,
``bearer`` headers, a sync transport that refuses blocking calls and a guard-closing lifespan.

Enable the fixtures with ``pytest_plugins = ["cloudbase_auth_mw.testing.pytest_plugin"]``.
"""

from __future__ import annotations

from .headers import bearer
from .lifespan import closing_lifespan
from .services import require_service, service_reachable
from .tokens import BAD_TOKEN_CASES, forge
from .transports import NoBlockingTransport

__all__ = [
    "BAD_TOKEN_CASES",
    "NoBlockingTransport",
    "bearer",
    "closing_lifespan",
    "forge",
    "require_service",
    "service_reachable",
]
