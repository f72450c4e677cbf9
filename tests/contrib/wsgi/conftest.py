"""Fixtures for the plain WSGI middleware tests: a sync adapter, so a guard that may block."""

from __future__ import annotations

import pytest

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.guard import CloudBaseGuard


@pytest.fixture
def guard(config: CloudBaseAuthConfig) -> CloudBaseGuard:
    return CloudBaseGuard(config)
