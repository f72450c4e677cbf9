"""The default transports for a configuration (their libraries imported on first use)."""

from __future__ import annotations

from ..core.config import CloudBaseAuthConfig
from .base import AsyncTransport, SyncTransport


def sync_transport_for(config: CloudBaseAuthConfig) -> SyncTransport:
    """A pooled ``requests`` transport with the configured timeouts."""
    from .requests_transport import RequestsTransport

    return RequestsTransport(
        connect_timeout=config.connect_timeout, read_timeout=config.read_timeout
    )


def async_transport_for(config: CloudBaseAuthConfig) -> AsyncTransport:
    """A pooled ``httpx`` transport (the ``async`` extra) with the configured timeouts."""
    from .httpx_transport import HttpxTransport

    return HttpxTransport(connect_timeout=config.connect_timeout, read_timeout=config.read_timeout)
