"""cloudbase_auth_mw: trust CloudBase Auth v2 users from any Python backend.

- :class:`CloudBaseGuard` validates bearer tokens (local RS256 against the key set, or remote
  introspection) and loads ``/user/me`` profiles, with bounded caches; the framework adapters
  in :mod:`cloudbase_auth_mw.contrib` stand on it.
- :class:`CloudBaseAuthClient` / :class:`AsyncCloudBaseAuthClient` call the whole Auth v2 API.
- :class:`CloudBaseAuthConfig` holds every setting; errors live in one tree rooted at
  :class:`CloudBaseAuthError`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .client import AsyncCloudBaseAuthClient, CloudBaseAuthClient
from .core.config import CloudBaseAuthConfig
from .core.errors import (
    ApiError,
    CloudBaseAuthError,
    ConfigurationError,
    InsufficientScope,
    InvalidGrant,
    InvalidPassword,
    InvalidRequest,
    InvalidToken,
    MissingToken,
    ProviderUnavailable,
    RequestAuthError,
    ServiceError,
    ServiceUnreachable,
    Unauthenticated,
)
from .core.identity import Identity, UserProfile
from .core.models import IntrospectionResult, TokenResponse
from .guard import UNAUTHENTICATED, CloudBaseGuard, CloudBaseUser

__all__ = [
    "UNAUTHENTICATED",
    "ApiError",
    "AsyncCloudBaseAuthClient",
    "CloudBaseAuthClient",
    "CloudBaseAuthConfig",
    "CloudBaseAuthError",
    "CloudBaseGuard",
    "CloudBaseUser",
    "ConfigurationError",
    "Identity",
    "InsufficientScope",
    "IntrospectionResult",
    "InvalidGrant",
    "InvalidPassword",
    "InvalidRequest",
    "InvalidToken",
    "MissingToken",
    "ProviderUnavailable",
    "RequestAuthError",
    "ServiceError",
    "ServiceUnreachable",
    "TokenResponse",
    "Unauthenticated",
    "UserProfile",
    "__version__",
]
