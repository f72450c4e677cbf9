"""Skip tests whose external service is missing, except on CI, where that is a failure."""

from __future__ import annotations

import os
import socket

import pytest


def on_ci() -> bool:
    """``CI=true`` (GitHub Actions and most CI systems set it)."""
    return os.environ.get("CI", "").lower() == "true"


def service_reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int, timeout: float = 0.5) -> None:
    """Skip the calling test when ``name`` is unreachable; with ``CI=true``, fail it instead."""
    if service_reachable(host, port, timeout):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if on_ci():
        pytest.fail(f"{message} (CI=true: a missing service is a failure)", pytrace=False)
    pytest.skip(message)
