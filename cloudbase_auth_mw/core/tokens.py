"""Finding the bearer token in a request (RFC 6750 §2), before any crypto or network.

The header is always read; a cookie or the query string only when ``token_locations`` says so,
because both leak into logs and caches. A token offered more than once (two headers, or header
plus query) is a 400 ``invalid_request``, as RFC 6750 §2 requires; another scheme (``Basic``) is
simply "no bearer token".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .config import CloudBaseAuthConfig
from .errors import InvalidRequest, TokenTooLarge


def bearer_from_header(value: str) -> str | None:
    """The token of one ``Authorization`` value, ``None`` for another scheme.

    Raises :class:`InvalidRequest` for ``Bearer`` with no token or with spaces inside it.
    """
    if value[:7].lower() == "bearer ":  # the common shape, without splitting the whole value
        credentials = value[7:].strip()
    else:
        scheme, _, credentials = value.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        credentials = credentials.strip()
    if not credentials or " " in credentials:
        raise InvalidRequest("The Authorization header is malformed.")
    return credentials


def token_from_header(config: CloudBaseAuthConfig, value: str) -> str | None:
    """The bearer token of one ``Authorization`` value, size-checked; ``None`` for none."""
    token = bearer_from_header(value)
    if token is not None and len(token) > config.max_token_bytes:
        raise TokenTooLarge()
    return token


def extract_token(
    config: CloudBaseAuthConfig,
    *,
    authorization: Sequence[str] = (),
    cookies: Mapping[str, str] | None = None,
    query: Mapping[str, Sequence[str]] | None = None,
) -> str | None:
    """The one bearer token of a request, or ``None`` when it carries none.

    ``authorization`` holds every ``Authorization`` header value sent (usually zero or one);
    ``query`` maps a parameter name to all its values.
    """
    if len(authorization) > 1:
        raise InvalidRequest("Send the access token in one Authorization header only.")
    if authorization and not cookies and not query:  # the hot path: one header, nothing else
        return token_from_header(config, authorization[0])
    found: list[str] = []
    if authorization:
        token = bearer_from_header(authorization[0])
        if token is not None:
            found.append(token)
    locations = config.token_locations
    if "cookie" in locations and cookies:
        value = cookies.get(config.cookie_name)
        if value:
            found.append(value)
    if "query" in locations and query:
        values = [v for v in query.get(config.query_param, ()) if v]
        found.extend(values)
    if not found:
        return None
    if len(found) > 1:
        raise InvalidRequest("Send the access token in one place only.")
    token = found[0]
    if len(token) > config.max_token_bytes:
        raise TokenTooLarge()
    return token
