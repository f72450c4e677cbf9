"""The only code that does I/O: transports (requests, httpx) and the two flow drivers."""

from .base import AsyncTransport, SyncTransport
from .drivers import AsyncRunner, SyncRunner

__all__ = ["AsyncRunner", "AsyncTransport", "SyncRunner", "SyncTransport"]
