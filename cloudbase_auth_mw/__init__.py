"""cloudbase_auth_mw: trust CloudBase Auth v2 users from any Python backend."""

from __future__ import annotations

__version__ = "0.1.0"

from .core.config import CloudBaseAuthConfig
from .core.errors import (
    ApiError,
    CloudBaseAuthError,
    ConfigurationError,
    InsufficientScope,
    InvalidRequest,
    InvalidToken,
    MissingToken,
    ProviderUnavailable,
    RequestAuthError,
)
from .core.identity import Identity, UserProfile

__all__ = [
    "ApiError",
    "CloudBaseAuthConfig",
    "CloudBaseAuthError",
    "ConfigurationError",
    "Identity",
    "InsufficientScope",
    "InvalidRequest",
    "InvalidToken",
    "MissingToken",
    "ProviderUnavailable",
    "RequestAuthError",
    "UserProfile",
    "__version__",
]
