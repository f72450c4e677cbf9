"""Token grant, introspection, revocation and the key set (reference §3.6-§3.8, §6).

Seed variants accepted: ``GET /v1/token/introspect?token=…`` (with or without Basic) and
``POST /v1/token/introspect`` with the token in the body. ``client_credentials`` needs HTTP
Basic (any id and secret are accepted; the id becomes the token's ``sub``).
"""

from __future__ import annotations

import uuid
from typing import Any

from .accounts import login_kind, password_user
from .credentials import (
    check_access_token,
    current_claims,
    open_session,
    refresh,
    session_for_refresh,
    token_response,
)
from .errors import ApiFailure
from .issuer import USER_SCOPE
from .routing import Call, route
from .state import Session


def _client_credentials(call: Call) -> dict[str, Any]:
    basic = call.basic
    if basic is None or not basic[0]:
        raise ApiFailure("invalid_client", "client_credentials needs HTTP Basic client credentials")
    session = Session(
        id=uuid.uuid4().hex,
        sub=basic[0],
        client_id=basic[0],
        scope=call.text("scope") or USER_SCOPE,
        groups=("administrator",),
    )
    call.state.sessions[session.id] = session
    return token_response(call.state, session, with_refresh=False)


@route("POST", "/v1/token")
def grant_token(call: Call) -> dict[str, Any]:
    """``refresh_token`` (rotating), ``password`` or ``client_credentials``."""
    grant_type = call.text("grant_type")
    if grant_type == "refresh_token":
        return refresh(call.state, call.text("refresh_token"))
    if grant_type == "password":
        login = call.text("username")
        user = password_user(call.state, login, call.text("password"))
        return open_session(
            call.state, user, call.client_id, provider_type=login_kind(user, str(login))
        )
    if grant_type == "client_credentials":
        return _client_credentials(call)
    raise ApiFailure(
        "unsupported_grant_type", f"grant_type {grant_type or '(none)'} is not supported"
    )


@route("POST", "/v1/token/clientCredential")
def client_credential(call: Call) -> dict[str, Any]:
    """The node-sdk admin path: always the ``client_credentials`` grant."""
    return _client_credentials(call)


def _introspected_token(call: Call) -> str | None:
    return call.bearer or call.query.get("token") or call.text("token")


@route("GET", "/v1/token/introspect")
def introspect(call: Call) -> dict[str, Any]:
    """Valid -> ``{token_type, client_id, sub, scope, exp, iat}``; anything else -> 200 ``{}``."""
    claims = check_access_token(call.state, _introspected_token(call))
    if claims is None:
        return {}
    return {
        "token_type": "Bearer",
        "client_id": claims.get("aud"),
        "sub": claims.get("sub"),
        "scope": claims.get("scope"),
        "exp": claims.get("exp"),
        "iat": claims.get("iat"),
    }


route("POST", "/v1/token/introspect")(introspect)


@route("POST", "/v1/revoke")
def revoke(call: Call) -> dict[str, Any]:
    """Revoke the session of the body ``token`` and/or the Bearer token -> ``{}``.

    A refresh token in the body revokes its session too. Unknown tokens are ignored
    (RFC 7009 §2.2), but a request naming no token at all is ``invalid_argument``.
    """
    tokens = [t for t in (call.text("token"), call.bearer) if t]
    if not tokens:
        raise ApiFailure("invalid_argument", "token is required (body or Bearer)")
    state = call.state
    for token in tokens:
        session = session_for_refresh(state, token)
        if session is not None:
            state.revoke_session(session)
        else:
            state.revoke_access_token(token)
    return {}


@route("POST", "/v1/user/signout")
def user_signout(call: Call) -> dict[str, Any]:
    """Sign out the Bearer's session; answers ``{redirect_uri}`` when one was given."""
    current_claims(call)
    call.state.revoke_access_token(str(call.bearer))
    redirect = call.text("redirect_uri")
    return {"redirect_uri": redirect} if redirect else {}


@route("DELETE", "/v1/user/revoke/all")
def revoke_all(call: Call) -> dict[str, Any]:
    """Sign the user out everywhere: every session of the Bearer's ``sub``."""
    sub = str(current_claims(call).get("sub"))
    for session in call.state.sessions_of(sub):
        call.state.revoke_session(session)
    return {}


@route("GET", "/v1/certs")
def certs(call: Call) -> dict[str, Any]:
    """The JWKS: every published RSA key (two by default)."""
    return call.state.keys.jwks()
