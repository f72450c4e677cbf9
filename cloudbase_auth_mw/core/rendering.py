"""The one renderer every adapter uses: an error becomes status, headers and a JSON body.

``WWW-Authenticate`` follows RFC 6750 §3: no ``error=`` when the request carried no credentials,
``error="invalid_token"`` / ``"invalid_request"`` / ``"insufficient_scope"`` otherwise. A 503
carries ``Retry-After``. Descriptions are fixed strings chosen by us, never request data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .errors import InsufficientScope, ProviderUnavailable, RequestAuthError

_JSON_ERROR_FOR_STATUS = {401: "unauthorized", 503: "temporarily_unavailable"}


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    """A rendered error: what an adapter writes to the wire."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    content_type: str = "application/json"

    @property
    def reason(self) -> str:
        return {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}.get(
            self.status, "Service Unavailable"
        )


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def www_authenticate(error: RequestAuthError, realm: str) -> str:
    """The ``WWW-Authenticate`` challenge for ``error`` (RFC 6750 §3)."""
    parts = [f'realm="{_quote(realm)}"']
    if error.oauth_error:
        parts.append(f'error="{error.oauth_error}"')
        parts.append(f'error_description="{_quote(error.description)}"')
    if isinstance(error, InsufficientScope) and error.required:
        parts.append(f'scope="{_quote(" ".join(error.required))}"')
    return "Bearer " + ", ".join(parts)


def render_error(error: RequestAuthError, *, realm: str = "cloudbase") -> ErrorResponse:
    """Status, headers and JSON body for an authentication outcome."""
    headers: list[tuple[str, str]] = [("Cache-Control", "no-store")]
    if isinstance(error, ProviderUnavailable):
        headers.append(("Retry-After", str(error.retry_after)))
    else:
        headers.append(("WWW-Authenticate", www_authenticate(error, realm)))
    name = error.oauth_error or _JSON_ERROR_FOR_STATUS.get(error.status, "unauthorized")
    body = json.dumps({"error": name, "error_description": error.description}).encode()
    return ErrorResponse(status=error.status, headers=tuple(headers), body=body)
