"""Issuing token responses (reference §4), refresh rotation and checking access tokens."""

from __future__ import annotations

import uuid
from typing import Any

from .errors import ApiFailure, unauthenticated
from .issuer import ANONYMOUS_SCOPE, USER_SCOPE, build_claims, mint
from .jose import token_fingerprint
from .routing import Call
from .state import EmulatedUser, EmulatorState, Session, opaque_token


def open_session(
    state: EmulatorState,
    user: EmulatedUser,
    client_id: str,
    *,
    provider_type: str | None = None,
    with_refresh: bool = True,
) -> dict[str, Any]:
    """Start a session for ``user`` and answer its first token response."""
    scope = ANONYMOUS_SCOPE if user.anonymous else USER_SCOPE
    session = Session(
        id=uuid.uuid4().hex,
        sub=user.sub,
        client_id=client_id,
        scope=scope,
        groups=user.groups,
        provider_type=provider_type,
    )
    state.sessions[session.id] = session
    user.last_login = state.now()
    return token_response(state, session, with_refresh=with_refresh)


def token_response(
    state: EmulatorState, session: Session, *, with_refresh: bool = True
) -> dict[str, Any]:
    """A fresh access token (and refresh token) for ``session``: the §4 body."""
    lifetime = state.settings.token_lifetime
    user = state.users.get(session.sub)
    groups = user.groups if user else session.groups
    claims = build_claims(
        issuer=state.settings.issuer,
        env_id=state.settings.env_id,
        sub=session.sub,
        audience=session.client_id,
        scope=session.scope,
        groups=groups,
        issued_at=int(state.now()),
        lifetime=lifetime,
        provider_type=session.provider_type,
    )
    access = mint(state.keys, claims)
    fingerprint = token_fingerprint(access)
    state.issued_access.add(fingerprint)
    session.access.add(fingerprint)
    state.access_index[fingerprint] = session.id
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "access_token": access,
        "expires_in": lifetime,
        "scope": session.scope,
        "sub": session.sub,
        "groups": list(groups),
    }
    if with_refresh:
        body["refresh_token"] = _new_refresh(state, session)
    return body


def _new_refresh(state: EmulatorState, session: Session) -> str:
    if session.refresh:
        state.refresh_index.pop(session.refresh, None)
    refresh = opaque_token("m")
    session.refresh = token_fingerprint(refresh)
    session.refresh_expires_at = state.now() + state.settings.refresh_lifetime
    state.refresh_index[session.refresh] = session.id
    return refresh


def session_for_refresh(state: EmulatorState, refresh_token: str | None) -> Session | None:
    """The live session whose *current* refresh token this is (rotated ones are dead)."""
    if not refresh_token:
        return None
    session_id = state.refresh_index.get(token_fingerprint(refresh_token))
    session = state.sessions.get(session_id) if session_id else None
    if session is None or session.revoked or session.refresh_expires_at <= state.now():
        return None
    return session


def refresh(state: EmulatorState, refresh_token: str | None) -> dict[str, Any]:
    """Exchange a refresh token: rotation, the old token dies at once (RFC 6749 §6)."""
    session = session_for_refresh(state, refresh_token)
    if session is None:
        raise ApiFailure("invalid_grant", "the refresh token is invalid, expired or already used")
    return token_response(state, session)


def check_access_token(state: EmulatorState, token: str | None) -> dict[str, Any] | None:
    """The claims of a live access token of this emulator, else ``None``.

    Live = issued by this emulator since its last reset, RS256 signature by a published key,
    our ``iss`` and ``project_id``, a ``sub``, within ``nbf``/``exp``, not revoked (alone or
    with its session).
    """
    if not token or token_fingerprint(token) not in state.issued_access:
        return None
    claims = state.keys.verify(token)
    if claims is None or claims.get("iss") != state.settings.issuer:
        return None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        return None
    if claims.get("project_id", state.settings.env_id) != state.settings.env_id:
        return None
    now = state.now()
    exp, nbf = claims.get("exp"), claims.get("nbf", 0)
    if not isinstance(exp, (int, float)) or exp <= now:
        return None
    if not isinstance(nbf, (int, float)) or nbf > now:
        return None
    session = state.session_for_access(token)
    if token_fingerprint(token) in state.revoked_access or (
        session is not None and session.revoked
    ):
        return None
    return claims


def current_claims(call: Call) -> dict[str, Any]:
    """Claims of the request's Bearer token, else ``unauthenticated`` (16)."""
    claims = check_access_token(call.state, call.bearer)
    if claims is None:
        raise unauthenticated()
    return claims


def current_user(call: Call) -> EmulatedUser:
    """The user the Bearer token belongs to; ``not_found`` if the token names no user."""
    claims = current_claims(call)
    user = call.state.users.get(str(claims.get("sub")))
    if user is None:
        raise ApiFailure("not_found", "user not found")
    return user
