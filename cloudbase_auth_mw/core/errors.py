"""The one exception tree of cloudbase_auth_mw. Every error knows its HTTP meaning.

::

    CloudBaseAuthError
    ├── ConfigurationError                  misconfiguration, raised at start-up
    ├── RequestAuthError                    an error answered to the HTTP caller
    │   ├── MissingToken            401     no credentials (no ``error=`` per RFC 6750 §3.1)
    │   ├── InvalidToken            401     invalid_token
    │   │   ├── MalformedToken              not a compact JWS / bad base64 / bad JSON
    │   │   ├── TokenTooLarge               longer than ``max_token_bytes``
    │   │   ├── UnsupportedAlgorithm        ``none``, HS*, anything not allowed
    │   │   ├── UnknownKeyId                ``kid`` not in the key set (after a bounded refresh)
    │   │   ├── InvalidSignature
    │   │   ├── TokenExpired / TokenNotYetValid / TokenIssuedInFuture
    │   │   ├── InvalidIssuer / InvalidAudience / WrongEnvironment / InvalidClaims
    │   │   └── TokenInactive               introspection ``{}`` / profile unauthenticated
    │   ├── InvalidRequest          400     invalid_request (token sent twice, ...)
    │   ├── InsufficientScope       403     insufficient_scope (group / scope / anonymous refused)
    │   └── ProviderUnavailable     503     keys, introspection or profile unreachable or broken
    └── ApiError                            an error body ``{error, error_code, ...}``
        ├── InvalidArgument, PermissionDenied, NotFound, AlreadyExists, Unimplemented,
        │   Unauthenticated, RateLimited, InvalidGrant, InvalidClient, UnauthorizedClient,
        │   InvalidPassword, InvalidVerificationCode, CaptchaRequired, CaptchaInvalid,
        │   UserBlocked, UserPending, InvalidStatus, ServiceError
        │                                   └── ServiceUnreachable   no HTTP answer at all
        └── (any other ``error`` string maps to ApiError itself, ``error`` kept verbatim)

Messages never contain a token, refresh token or secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class CloudBaseAuthError(Exception):
    """Base class of every error raised by cloudbase_auth_mw."""


class ConfigurationError(CloudBaseAuthError, ValueError):
    """The configuration is wrong; the message names the setting to fix."""


class RequestAuthError(CloudBaseAuthError):
    """An authentication outcome that maps to an HTTP answer (status, RFC 6750 error code)."""

    status: ClassVar[int] = 401
    #: RFC 6750 ``error=`` value; ``None`` means the challenge carries no error attribute.
    oauth_error: ClassVar[str | None] = "invalid_token"
    default_description: ClassVar[str] = "The access token is invalid."

    def __init__(self, description: str | None = None) -> None:
        self.description = description or self.default_description
        super().__init__(self.description)


class MissingToken(RequestAuthError):
    oauth_error = None
    default_description = "Authentication required."


class InvalidToken(RequestAuthError):
    default_description = "The access token is invalid."


class MalformedToken(InvalidToken):
    default_description = "The access token is malformed."


class TokenTooLarge(InvalidToken):
    default_description = "The access token is too large."


class UnsupportedAlgorithm(InvalidToken):
    default_description = "The access token uses an algorithm that is not allowed."


class UnknownKeyId(InvalidToken):
    default_description = "The access token was signed by an unknown key."


class InvalidSignature(InvalidToken):
    default_description = "The access token signature is invalid."


class TokenExpired(InvalidToken):
    default_description = "The access token expired."


class TokenNotYetValid(InvalidToken):
    default_description = "The access token is not valid yet."


class TokenIssuedInFuture(InvalidToken):
    default_description = "The access token was issued in the future."


class InvalidIssuer(InvalidToken):
    default_description = "The access token has an unexpected issuer."


class InvalidAudience(InvalidToken):
    default_description = "The access token has an unexpected audience."


class WrongEnvironment(InvalidToken):
    default_description = "The access token belongs to another environment."


class InvalidClaims(InvalidToken):
    default_description = "The access token claims are invalid."


class TokenInactive(InvalidToken):
    default_description = "The access token is not active (revoked, expired or unknown)."


class InvalidRequest(RequestAuthError):
    status = 400
    oauth_error = "invalid_request"
    default_description = "The request is malformed."


class InsufficientScope(RequestAuthError):
    status = 403
    oauth_error = "insufficient_scope"
    default_description = "The access token lacks the required scope or group."

    def __init__(self, description: str | None = None, *, required: tuple[str, ...] = ()) -> None:
        super().__init__(description)
        self.required = required


class ProviderUnavailable(RequestAuthError):
    status = 503
    oauth_error = None
    default_description = "The authentication provider is unavailable."

    def __init__(self, description: str | None = None, *, retry_after: int = 5) -> None:
        super().__init__(description)
        self.retry_after = retry_after


class ApiError(CloudBaseAuthError):
    """An error answered by the Auth v2 service, parsed from its JSON body.

    ``error`` is the service's error name (``invalid_password``...), ``error_code`` its number
    (a gRPC status code where the service gives one), ``request_id`` the id to quote to support.
    """

    error_name: ClassVar[str] = ""

    def __init__(
        self,
        error: str,
        description: str = "",
        *,
        error_code: int | None = None,
        status: int | None = None,
        request_id: str | None = None,
        details: Any = None,
    ) -> None:
        self.error = error
        self.description = description
        self.error_code = error_code
        self.status = status
        self.request_id = request_id
        self.details = details
        text = f"{error}: {description}" if description else error
        if request_id:
            text += f" (request id {request_id})"
        super().__init__(text)


class InvalidArgument(ApiError):
    """``invalid_argument``: a request field is missing or wrong."""

    error_name = "invalid_argument"


class PermissionDenied(ApiError):
    """``permission_denied``: not allowed (bad sudo token, client lacks rights...)."""

    error_name = "permission_denied"


class NotFound(ApiError):
    """``not_found``: no such user or resource."""

    error_name = "not_found"


class AlreadyExists(ApiError):
    """``already_exists``: the user or binding exists already."""

    error_name = "already_exists"


class Unimplemented(ApiError):
    """``unimplemented``: the feature is disabled for this environment (e.g. anonymous login)."""

    error_name = "unimplemented"


class Unauthenticated(ApiError):
    """``unauthenticated``: the access token is missing, expired or revoked."""

    error_name = "unauthenticated"


class RateLimited(ApiError):
    """``resource_exhausted`` (or gateway ``EXCEED_RATELIMIT``): slow down."""

    error_name = "resource_exhausted"


class InvalidGrant(ApiError):
    """``invalid_grant``: the refresh token is wrong, used or expired: the user is signed out."""

    error_name = "invalid_grant"


class InvalidClient(ApiError):
    """``invalid_client``: no such client."""

    error_name = "invalid_client"


class UnauthorizedClient(ApiError):
    """``unauthorized_client``: the client secret is wrong."""

    error_name = "unauthorized_client"


class InvalidPassword(ApiError):
    """``invalid_password``: wrong user name or password."""

    error_name = "invalid_password"


class InvalidVerificationCode(ApiError):
    """``invalid_verification_code``: the code does not match."""

    error_name = "invalid_verification_code"


class CaptchaRequired(ApiError):
    """``captcha_required``: solve a captcha (``/captcha/data``) and retry with its token."""

    error_name = "captcha_required"


class CaptchaInvalid(ApiError):
    """``captcha_invalid``: the captcha token was wrong or expired."""

    error_name = "captcha_invalid"


class UserBlocked(ApiError):
    """``user_blocked``: the user is disabled."""

    error_name = "user_blocked"


class UserPending(ApiError):
    """``user_pending``: the user is not activated."""

    error_name = "user_pending"


class InvalidStatus(ApiError):
    """``invalid_status``: too many wrong passwords."""

    error_name = "invalid_status"


class ServiceError(ApiError):
    """``internal``/``unknown``/``unavailable`` or a non-JSON answer: the provider failed."""

    error_name = "internal"


class ServiceUnreachable(ServiceError):
    """No HTTP answer at all (refused, reset, timed out): what the official client calls
    ``unreachable``. Raised by the API client from the driver's ``TransportError``."""

    error_name = "unreachable"


API_ERRORS: Mapping[str, type[ApiError]] = {
    cls.error_name: cls
    for cls in (
        InvalidArgument,
        PermissionDenied,
        NotFound,
        AlreadyExists,
        Unimplemented,
        Unauthenticated,
        RateLimited,
        InvalidGrant,
        InvalidClient,
        UnauthorizedClient,
        InvalidPassword,
        InvalidVerificationCode,
        CaptchaRequired,
        CaptchaInvalid,
        UserBlocked,
        UserPending,
        InvalidStatus,
        ServiceError,
    )
} | {
    "unknown": ServiceError,
    "unavailable": ServiceError,
    "data_loss": ServiceError,
    "unreachable": ServiceError,
    "EXCEED_RATELIMIT": RateLimited,
    "INVALID_ACCESS_TOKEN": Unauthenticated,
    "MISSING_CREDENTIALS": Unauthenticated,
}


def api_error_from_body(
    body: Mapping[str, Any], *, status: int | None = None, request_id: str | None = None
) -> ApiError | None:
    """Build the typed error for an Auth v2 or gateway error body; ``None`` for a success body.

    Auth v2 bodies are ``{error, error_code, error_description}``; gateway bodies are
    ``{code, message, requestId}``. Like the official client, a truthy top-level ``error`` or
    ``code`` means failure, whatever the HTTP status.
    """
    name = body.get("error") or body.get("code")
    if not name or not isinstance(name, (str, int)):
        return None
    name = str(name)
    description = body.get("error_description") or body.get("message") or ""
    code = body.get("error_code")
    rid = body.get("requestId") or body.get("request_id") or request_id
    cls = API_ERRORS.get(name, ApiError)
    return cls(
        name,
        str(description),
        error_code=code if isinstance(code, int) else None,
        status=status,
        request_id=str(rid) if rid else None,
        details=body.get("details"),
    )
