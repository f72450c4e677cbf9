"""Test helpers for projects using cloudbase_auth_mw: the emulator fixtures and token forgers.

Enable the fixtures with ``pytest_plugins = ["cloudbase_auth_mw.testing.pytest_plugin"]``.
"""

from __future__ import annotations

from .services import require_service, service_reachable
from .tokens import BAD_TOKEN_CASES, forge
from .transports import NoBlockingTransport

__all__ = [
    "BAD_TOKEN_CASES",
    "NoBlockingTransport",
    "forge",
    "require_service",
    "service_reachable",
]
