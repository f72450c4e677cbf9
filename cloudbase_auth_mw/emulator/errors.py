"""The Auth v2 error model as the emulator answers it (reference §7).

Every error body is ``{"error", "error_code", "error_description"}``. ``error_code`` is the
gRPC status number; the HTTP status follows the grpc-gateway mapping for gRPC names and is
400 for OAuth and domain errors, except anonymous sign-in disabled: 403 ``unimplemented``.
Domain/OAuth error codes are not documented by CloudBase; the numbers chosen here (the gRPC
status closest in meaning) are an emulator convention.
"""

from __future__ import annotations

from typing import Any

#: gRPC status name -> (number, HTTP status) [reference §7.1].
GRPC: dict[str, tuple[int, int]] = {
    "cancelled": (1, 499),
    "unknown": (2, 500),
    "invalid_argument": (3, 400),
    "deadline_exceeded": (4, 504),
    "not_found": (5, 404),
    "already_exists": (6, 409),
    "permission_denied": (7, 403),
    "resource_exhausted": (8, 429),
    "failed_precondition": (9, 400),
    "aborted": (10, 409),
    "out_of_range": (11, 400),
    "unimplemented": (12, 501),
    "internal": (13, 500),
    "unavailable": (14, 503),
    "data_loss": (15, 500),
    "unauthenticated": (16, 401),
}

#: OAuth and domain error names -> gRPC number (emulator convention); HTTP status 400.
DOMAIN: dict[str, int] = {
    "invalid_request": 3,
    "invalid_grant": 3,
    "unsupported_grant_type": 3,
    "invalid_scope": 3,
    "invalid_client": 16,
    "unauthorized_client": 7,
    "invalid_password": 3,
    "password_not_set": 9,
    "invalid_status": 9,
    "user_pending": 9,
    "user_blocked": 7,
    "invalid_verification_code": 3,
    "captcha_required": 9,
    "captcha_invalid": 3,
    "provider_not_enabled": 9,
    "phone_required": 9,
}


class ApiFailure(Exception):
    """Raised by a route to answer an Auth v2 error body."""

    def __init__(self, error: str, description: str, *, status: int | None = None) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.code = error_code(error)
        self.status = status if status is not None else http_status(error)

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return {"error": self.error, "error_code": self.code, "error_description": self.description}


def error_code(name: str) -> int:
    """The ``error_code`` number answered for an error name (2 ``unknown`` if unlisted)."""
    if name in GRPC:
        return GRPC[name][0]
    return DOMAIN.get(name, 2)


def http_status(name: str) -> int:
    """The HTTP status for an error name: grpc-gateway mapping, else 400."""
    return GRPC[name][1] if name in GRPC else 400


def unauthenticated(
    description: str = "the access token is missing, invalid or expired",
) -> ApiFailure:
    return ApiFailure("unauthenticated", description)


def invalid_argument(description: str) -> ApiFailure:
    return ApiFailure("invalid_argument", description)
