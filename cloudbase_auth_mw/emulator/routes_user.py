"""The signed-in user: profile, sudo, password change and deletion (reference §3.9-§3.12).

Seed variant accepted: ``PATCH /v1/user/password {old_password, new_password}`` without a
sudo token (the old password stands in for it). The seed's bare ``DELETE /v1/user/me`` is
*not* accepted: deletion needs ``?sudo_token=`` as the real API does.
"""

from __future__ import annotations

import re
from typing import Any

from .accounts import password_matches, user_by_contact
from .credentials import current_user
from .errors import ApiFailure, invalid_argument
from .routing import Call, route
from .state import EmulatedUser, rfc3339

SUDO_LIFETIME = 900
_POLICY = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")


def profile(user: EmulatedUser) -> dict[str, Any]:
    """The ``/user/me`` body (``groups`` as ``[{id}]`` objects, RFC 3339 dates)."""
    body: dict[str, Any] = {
        "sub": user.sub,
        "user_id": user.sub,
        "name": user.name or "",
        "username": user.username or "",
        "status": user.status,
        "groups": [{"id": g} for g in user.groups],
        "providers": [
            {"id": p["id"], "provider_user_id": p["provider_user_id"], "name": p["name"]}
            for p in user.providers
        ],
        "meta": {},
        "created_at": rfc3339(user.created_at),
        "updated_at": rfc3339(user.updated_at),
        "has_password": user.has_password,
        "created_from": user.created_from,
    }
    optional = {
        "email": user.email,
        "phone_number": user.phone_number,
        "picture": user.picture,
        "gender": user.gender,
        "password_updated_at": rfc3339(user.password_updated_at)
        if user.password_updated_at
        else None,
        "last_login": rfc3339(user.last_login) if user.last_login else None,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    if not user.anonymous:
        body["internal_user_type"] = "generalUser"
    return body


@route("GET", "/v1/user/me")
def get_me(call: Call) -> dict[str, Any]:
    """The current user's profile; ``unauthenticated`` for a dead token."""
    return profile(current_user(call))


@route("POST", "/v1/user/sudo")
def sudo(call: Call) -> dict[str, Any]:
    """``{password}`` or ``{verification_token}`` -> ``{sudo_token, expires_in: 900}``."""
    user = current_user(call)
    password, token = call.text("password"), call.text("verification_token")
    if password is not None:
        if not password_matches(user, password):
            raise ApiFailure("invalid_password", "wrong password")
    elif token is not None:
        grant = call.state.take_grant(token, "verification_token")
        if (
            grant is None
            or user_by_contact(call.state, grant.data["kind"], grant.data["value"]) is not user
        ):
            raise invalid_argument("verification_token is invalid, expired or for another user")
    else:
        raise invalid_argument("password or verification_token is required")
    sudo_token, _ = call.state.new_grant("s", "sudo", SUDO_LIFETIME, sub=user.sub)
    return {"sudo_token": sudo_token, "expires_in": SUDO_LIFETIME}


def _require_sudo(call: Call, user: EmulatedUser, token: str | None) -> None:
    grant = call.state.take_grant(token, "sudo")
    if grant is None or grant.data["sub"] != user.sub:
        raise ApiFailure("permission_denied", "the sudo token is missing, invalid or expired")


def _check_new_password(call: Call, password: str) -> None:
    if not call.state.settings.password_policy:
        return
    if not 8 <= len(password) <= 64 or not all(re.search(p, password) for p in _POLICY):
        raise invalid_argument(
            "new_password must be 8-64 characters with upper and lower case letters, "
            "a digit and a special character"
        )


@route("PATCH", "/v1/user/password")
def change_password(call: Call) -> dict[str, Any]:
    """Needs ``sudo_token`` (query or body), or the seed's ``old_password``; signs out others."""
    user = current_user(call)
    old = call.text("old_password")
    sudo_token = call.query.get("sudo_token") or call.text("sudo_token")
    if sudo_token is not None or old is None:
        _require_sudo(call, user, sudo_token)
    elif not password_matches(user, old):
        raise ApiFailure("invalid_password", "wrong old password")
    new = call.require("new_password")
    confirm = call.text("confirm_password")
    if confirm is not None and confirm != new:
        raise invalid_argument("confirm_password does not match new_password")
    _check_new_password(call, new)
    user.password = new
    user.password_updated_at = user.updated_at = call.state.now()
    this_session = call.state.session_for_access(str(call.bearer))
    for session in call.state.sessions_of(user.sub):
        if session is not this_session:
            call.state.revoke_session(session)
    return {}


@route("DELETE", "/v1/user/me")
def delete_me(call: Call) -> dict[str, Any]:
    """``?sudo_token=`` required; deletes the user and ends all their sessions."""
    user = current_user(call)
    _require_sudo(call, user, call.query.get("sudo_token"))
    call.state.delete_user(user.sub)
    return {}
