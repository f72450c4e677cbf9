"""The CloudBase Auth v2 API as flows: one function per endpoint, no I/O (reference §3).

Each function builds its request with :func:`~cloudbase_auth_mw.core.endpoints.api_request`,
yields it, reads the answer with :func:`~cloudbase_auth_mw.core.endpoints.read_json` (the body,
not the status, says whether it failed: reference §2.2) and returns a typed result from
:mod:`cloudbase_auth_mw.core.models`. A driver (:class:`~cloudbase_auth_mw.transport.SyncRunner`
or :class:`~cloudbase_auth_mw.transport.AsyncRunner`) runs the flow; the clients in
:mod:`cloudbase_auth_mw.client` are one-line shims over these functions.

Errors: the service's error bodies raise typed :class:`~cloudbase_auth_mw.core.errors.ApiError`
subclasses; a request that got no HTTP answer raises
:class:`~cloudbase_auth_mw.core.errors.ServiceUnreachable` (a :class:`ServiceError`), so
``except ApiError`` catches every failure of a call. Only ``GET`` requests are marked
idempotent (retried once by the driver); sign-in, sign-up and ``/token`` are never retried,
since a refresh token rotates when used.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import quote

from .config import CloudBaseAuthConfig
from .endpoints import api_request, read_json
from .errors import InvalidGrant, ServiceUnreachable
from .http import Flow, TransportError
from .identity import UserProfile
from .models import (
    REFRESH_MARGIN,
    CaptchaData,
    CaptchaToken,
    IntrospectionResult,
    ProviderList,
    ProviderToken,
    SudoToken,
    TokenResponse,
    VerificationSent,
    VerificationToken,
)

T = TypeVar("T")
VerificationTarget = Literal["ANY", "USER", "NOT_USER", "CUR_USER"]
#: The country code the official SDK adds to phone numbers given without one.
DEFAULT_COUNTRY_CODE = "+86"


@dataclass(frozen=True)
class ApiContext:
    """What every call needs besides its arguments: settings, device id and a clock."""

    config: CloudBaseAuthConfig
    #: Sent as ``x-device-id`` on every call (anonymous sign-in requires it).
    device_id: str
    #: Source of ``TokenResponse.received_at``; injectable for tests.
    clock: Callable[[], float] = field(default=time.time, compare=False)


def format_phone(number: str) -> str:
    """``"13800000000"`` -> ``"+86 13800000000"``; numbers with a ``+`` prefix are kept."""
    number = number.strip()
    return number if number.startswith("+") else f"{DEFAULT_COUNTRY_CODE} {number}"


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _captcha(captcha_token: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Query and headers carrying a captcha token both ways the service accepts (§2.1)."""
    if not captcha_token:
        return {}, {}
    return {"captcha_token": captcha_token}, {"x-captcha-token": captcha_token}


def _call(
    ctx: ApiContext,
    method: str,
    path: str,
    parse: Callable[[dict[str, Any]], T],
    *,
    bearer: str | None = None,
    json_body: Any = None,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    captcha_token: str | None = None,
) -> Flow[T]:
    """The one flow behind every endpoint: build, send, judge the body, parse."""
    captcha_params, captcha_headers = _captcha(captcha_token)
    request = api_request(
        ctx.config,
        method,
        path,
        bearer=bearer,
        json_body=json_body,
        params={**(params or {}), **captcha_params},
        headers={**(headers or {}), **captcha_headers},
        device_id=ctx.device_id,
    )
    try:
        response = yield request
    except TransportError as exc:
        raise ServiceUnreachable("unreachable", str(exc)) from exc
    return parse(read_json(response))


def _tokens(ctx: ApiContext) -> Callable[[dict[str, Any]], TokenResponse]:
    return lambda data: TokenResponse.from_json(data, received_at=ctx.clock())


def _nothing(_: dict[str, Any]) -> None:
    return None


def _client_body(ctx: ApiContext, grant_type: str, **fields: Any) -> dict[str, Any]:
    """A ``/token`` body: the SDK sends ``client_id`` and ``client_secret`` (``""``) (§3.6)."""
    return {
        "client_id": ctx.config.effective_client_id,
        "client_secret": ctx.config.client_secret,
        "grant_type": grant_type,
        **_drop_none(**fields),
    }


def _one_contact(phone_number: str | None, email: str | None) -> dict[str, str]:
    if (phone_number is None) == (email is None):
        raise ValueError("give exactly one of phone_number or email")
    return {"phone_number": format_phone(phone_number)} if phone_number else {"email": str(email)}


# ------------------------------------------------------------------ sign-in and sign-up
def sign_in_with_password(
    ctx: ApiContext, username: str, password: str, *, captcha_token: str | None = None
) -> Flow[TokenResponse]:
    """``POST /v1/signin {username, password}``; ``username`` may be a user name, an email
    or a ``"+86 ..."`` phone number."""
    body = {"username": username, "password": password}
    return _call(
        ctx, "POST", "/v1/signin", _tokens(ctx), json_body=body, captcha_token=captcha_token
    )


def sign_in_with_verification(
    ctx: ApiContext, verification_token: str, *, username: str | None = None
) -> Flow[TokenResponse]:
    """``POST /v1/signin {verification_token, username?}``: sign in with a verified code."""
    body = _drop_none(verification_token=verification_token, username=username)
    return _call(ctx, "POST", "/v1/signin", _tokens(ctx), json_body=body)


def sign_in_anonymously(
    ctx: ApiContext, *, provider_token: str | None = None
) -> Flow[TokenResponse]:
    """``POST /v1/signin/anonymously``: one anonymous user per ``x-device-id``."""
    body = _drop_none(provider_token=provider_token)
    return _call(ctx, "POST", "/v1/signin/anonymously", _tokens(ctx), json_body=body)


def sign_in_with_provider(
    ctx: ApiContext, provider_token: str, *, provider_id: str | None = None
) -> Flow[TokenResponse]:
    """``POST /v1/signin/with/provider``: sign in with a third-party ``provider_token``."""
    body = _drop_none(provider_token=provider_token, provider_id=provider_id)
    return _call(ctx, "POST", "/v1/signin/with/provider", _tokens(ctx), json_body=body)


def sign_up(
    ctx: ApiContext,
    *,
    phone_number: str | None = None,
    email: str | None = None,
    verification_token: str | None = None,
    verification_code: str | None = None,
    username: str | None = None,
    password: str | None = None,
    name: str | None = None,
    anonymous_token: str | None = None,
    provider_token: str | None = None,
) -> Flow[TokenResponse]:
    """``POST /v1/signup``: phone or email plus ``verification_token``, or ``provider_token``.

    ``anonymous_token`` upgrades the anonymous user it belongs to.
    """
    body = _drop_none(
        phone_number=format_phone(phone_number) if phone_number else None,
        email=email,
        verification_token=verification_token,
        verification_code=verification_code,
        username=username,
        password=password,
        name=name,
        anonymous_token=anonymous_token,
        provider_token=provider_token,
    )
    return _call(ctx, "POST", "/v1/signup", _tokens(ctx), json_body=body)


# ------------------------------------------------------------------ verification codes
def send_verification(
    ctx: ApiContext,
    *,
    phone_number: str | None = None,
    email: str | None = None,
    target: VerificationTarget = "ANY",
    usage: str | None = None,
    locale: str | None = None,
    email_redirect_to: str | None = None,
    access_token: str | None = None,
    captcha_token: str | None = None,
) -> Flow[VerificationSent]:
    """``POST /v1/verification``: send a 6-digit code to one phone number or email.

    ``target="CUR_USER"`` needs ``access_token`` (the signed-in user's own contact).
    """
    if target == "CUR_USER" and not access_token:
        raise ValueError('target="CUR_USER" needs the access_token of the signed-in user')
    body = {
        **_one_contact(phone_number, email),
        "target": target,
        **_drop_none(usage=usage, locale=locale, email_redirect_to=email_redirect_to),
    }
    return _call(
        ctx,
        "POST",
        "/v1/verification",
        VerificationSent.from_json,
        bearer=access_token,
        json_body=body,
        captcha_token=captcha_token,
    )


def verify(
    ctx: ApiContext, verification_id: str, verification_code: str
) -> Flow[VerificationToken]:
    """``POST /v1/verification/verify``: trade the code for a ``verification_token``."""
    body = {"verification_id": verification_id, "verification_code": verification_code}
    return _call(
        ctx, "POST", "/v1/verification/verify", VerificationToken.from_json, json_body=body
    )


# ------------------------------------------------------------------ tokens
def refresh(ctx: ApiContext, refresh_token: str) -> Flow[TokenResponse]:
    """``POST /v1/token`` with ``grant_type=refresh_token``. Refresh tokens rotate: keep the
    new one; the old one now fails with :class:`InvalidGrant`. Never retried."""
    body = _client_body(ctx, "refresh_token", refresh_token=refresh_token)
    return _call(ctx, "POST", "/v1/token", _tokens(ctx), json_body=body)


def ensure_fresh(
    ctx: ApiContext, tokens: TokenResponse, *, margin: float = REFRESH_MARGIN
) -> Flow[TokenResponse]:
    """``tokens`` while they are fresh, else new ones: the official client's rule (§5.3, §11.9).

    Refreshes once past ``expires_at - margin`` (store the result: the refresh token rotated).
    An anonymous user whose refresh token is refused (or missing) signs in again on the same
    device, which yields the same user; anyone else gets :class:`InvalidGrant` (signed out).
    """
    if not tokens.needs_refresh(ctx.clock(), margin):
        return tokens
    try:
        if not tokens.refresh_token:
            raise InvalidGrant("invalid_grant", "the credentials expired and have no refresh token")
        return (yield from refresh(ctx, tokens.refresh_token))
    except InvalidGrant:
        if not tokens.is_anonymous:
            raise
        return (yield from sign_in_anonymously(ctx))


def password_grant(
    ctx: ApiContext, username: str, password: str, *, scope: str | None = None
) -> Flow[TokenResponse]:
    """``POST /v1/token`` with ``grant_type=password``."""
    body = _client_body(ctx, "password", username=username, password=password, scope=scope)
    return _call(ctx, "POST", "/v1/token", _tokens(ctx), json_body=body)


def client_credentials(
    ctx: ApiContext,
    *,
    secret_id: str | None = None,
    secret_key: str | None = None,
    scope: str | None = None,
) -> Flow[TokenResponse]:
    """``POST /v1/token`` with ``grant_type=client_credentials`` and Basic
    ``secret_id:secret_key`` (default: the configured client id and secret). Administrator
    rights; the answer carries no refresh token."""
    user = ctx.config.effective_client_id if secret_id is None else secret_id
    secret = ctx.config.client_secret if secret_key is None else secret_key
    basic = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
    body = _drop_none(grant_type="client_credentials", scope=scope)
    headers = {"authorization": f"Basic {basic}"}
    return _call(ctx, "POST", "/v1/token", _tokens(ctx), json_body=body, headers=headers)


def introspect(ctx: ApiContext, access_token: str) -> Flow[IntrospectionResult]:
    """``GET /v1/token/introspect`` with ``Bearer <token>``; ``{}`` means inactive."""
    return _call(
        ctx, "GET", "/v1/token/introspect", IntrospectionResult.from_json, bearer=access_token
    )


def revoke(ctx: ApiContext, access_token: str) -> Flow[None]:
    """``POST /v1/revoke``: the token goes in the body (SDK) and as Bearer (docs) (§3.8)."""
    body = {"token": access_token}
    return _call(ctx, "POST", "/v1/revoke", _nothing, bearer=access_token, json_body=body)


# ------------------------------------------------------------------ the signed-in user
def get_user(ctx: ApiContext, access_token: str) -> Flow[UserProfile]:
    """``GET /v1/user/me``: the user's profile; a bad token raises :class:`Unauthenticated`."""
    return _call(ctx, "GET", "/v1/user/me", UserProfile.from_json, bearer=access_token)


def sudo(
    ctx: ApiContext,
    access_token: str,
    *,
    password: str | None = None,
    verification_token: str | None = None,
) -> Flow[SudoToken]:
    """``POST /v1/user/sudo {password | verification_token}``: a 900 s sudo token."""
    if (password is None) == (verification_token is None):
        raise ValueError("give exactly one of password or verification_token")
    body = _drop_none(password=password, verification_token=verification_token)
    return _call(
        ctx, "POST", "/v1/user/sudo", SudoToken.from_json, bearer=access_token, json_body=body
    )


def change_password(
    ctx: ApiContext, access_token: str, sudo_token: str, new_password: str
) -> Flow[None]:
    """``PATCH /v1/user/password``: ``sudo_token`` in the body (SDK) and the query (docs)."""
    body = {"new_password": new_password, "sudo_token": sudo_token}
    params = {"sudo_token": sudo_token}
    return _call(
        ctx,
        "PATCH",
        "/v1/user/password",
        _nothing,
        bearer=access_token,
        json_body=body,
        params=params,
    )


def delete_me(ctx: ApiContext, access_token: str, sudo_token: str) -> Flow[None]:
    """``DELETE /v1/user/me?sudo_token=``: delete the signed-in user."""
    params = {"sudo_token": sudo_token}
    return _call(ctx, "DELETE", "/v1/user/me", _nothing, bearer=access_token, params=params)


# ------------------------------------------------------------------ providers
def grant_provider_token(
    ctx: ApiContext,
    provider_id: str,
    *,
    provider_code: str | None = None,
    provider_access_token: str | None = None,
    provider_id_token: str | None = None,
    provider_redirect_uri: str | None = None,
) -> Flow[ProviderToken]:
    """``POST /v1/provider/token``: trade a third-party credential for a ``provider_token``
    (for :func:`sign_in_with_provider`, ``sign_up(provider_token=)`` or :func:`bind_provider`)."""
    body = _drop_none(
        provider_id=provider_id,
        provider_code=provider_code,
        provider_access_token=provider_access_token,
        provider_id_token=provider_id_token,
        provider_redirect_uri=provider_redirect_uri,
    )
    return _call(ctx, "POST", "/v1/provider/token", ProviderToken.from_json, json_body=body)


def list_providers(ctx: ApiContext, access_token: str) -> Flow[ProviderList]:
    """``GET /v1/user/provider`` (singular path)."""
    return _call(ctx, "GET", "/v1/user/provider", ProviderList.from_json, bearer=access_token)


def bind_provider(ctx: ApiContext, access_token: str, provider_token: str) -> Flow[None]:
    """``POST /v1/user/provider/bind {provider_token}``."""
    body = {"provider_token": provider_token}
    return _call(
        ctx, "POST", "/v1/user/provider/bind", _nothing, bearer=access_token, json_body=body
    )


def unbind_provider(ctx: ApiContext, access_token: str, provider_id: str) -> Flow[None]:
    """``DELETE /v1/user/provider/{provider_id}``."""
    path = "/v1/user/provider/" + quote(provider_id, safe="")
    return _call(ctx, "DELETE", path, _nothing, bearer=access_token)


# ------------------------------------------------------------------ captcha
def get_captcha_data(ctx: ApiContext, state: str, *, redirect_uri: str = "") -> Flow[CaptchaData]:
    """``POST /v1/captcha/data``; the SDK's ``state`` is ``"<METHOD>:<path>"`` of the refused
    call, e.g. ``"POST:/v1/verification"``."""
    body = {"state": state, "redirect_uri": redirect_uri}
    return _call(ctx, "POST", "/v1/captcha/data", CaptchaData.from_json, json_body=body)


def verify_captcha(ctx: ApiContext, token: str, key: str) -> Flow[CaptchaToken]:
    """``POST /v1/captcha/data/verify {token, key}``: ``key`` is the user's answer."""
    body = {"token": token, "key": key}
    return _call(ctx, "POST", "/v1/captcha/data/verify", CaptchaToken.from_json, json_body=body)


__all__ = [
    "ApiContext",
    "VerificationTarget",
    "bind_provider",
    "change_password",
    "client_credentials",
    "delete_me",
    "ensure_fresh",
    "format_phone",
    "get_captcha_data",
    "get_user",
    "grant_provider_token",
    "introspect",
    "list_providers",
    "password_grant",
    "refresh",
    "revoke",
    "send_verification",
    "sign_in_anonymously",
    "sign_in_with_password",
    "sign_in_with_provider",
    "sign_in_with_verification",
    "sign_up",
    "sudo",
    "unbind_provider",
    "verify",
    "verify_captcha",
]
