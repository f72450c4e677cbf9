"""Third-party identity providers (reference §3.13), emulated without any real provider.

``POST /v1/provider/token {provider_id, provider_code | provider_access_token |
provider_id_token}`` accepts any non-empty credential and derives a stable provider user id
from it, so the same code always names the same external identity. The provider token it
answers works for ``/v1/signin/with/provider``, ``/v1/signup {provider_token}`` and
``/v1/user/provider/bind``. Seed variant accepted: ``GET /v1/user/providers``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .accounts import ensure_active
from .credentials import current_user, open_session
from .errors import ApiFailure, invalid_argument
from .routing import Call, route
from .state import EmulatedUser, EmulatorState, Grant, new_numeric_sub

PROVIDER_TOKEN_LIFETIME = 3600


def _provider_grant(call: Call) -> Grant:
    grant = call.state.take_grant(call.require("provider_token"), "provider", consume=False)
    if grant is None:
        raise invalid_argument("provider_token is invalid or expired")
    return grant


def _bound_user(
    state: EmulatorState, provider_id: str, provider_user_id: str
) -> EmulatedUser | None:
    for user in state.users.values():
        for bound in user.providers:
            if (bound["id"], bound["provider_user_id"]) == (provider_id, provider_user_id):
                return user
    return None


def _binding(grant: Grant) -> dict[str, Any]:
    return {
        "id": grant.data["provider_id"],
        "provider_user_id": grant.data["provider_user_id"],
        "name": grant.data["name"],
    }


@route("POST", "/v1/provider/token")
def provider_token(call: Call) -> dict[str, Any]:
    """Exchange a provider credential for a ``provider_token`` (valid 3600 s)."""
    provider_id = call.require("provider_id")
    secret = next(
        (
            call.text(name)
            for name in ("provider_code", "provider_access_token", "provider_id_token")
            if call.text(name)
        ),
        None,
    )
    if secret is None:
        raise invalid_argument(
            "provider_code, provider_access_token or provider_id_token is required"
        )
    external = hashlib.sha256(f"{provider_id}:{secret}".encode()).hexdigest()[:20]
    name = f"{provider_id} user {external[:6]}"
    token, _ = call.state.new_grant(
        "p",
        "provider",
        PROVIDER_TOKEN_LIFETIME,
        provider_id=provider_id,
        provider_user_id=external,
        name=name,
    )
    return {
        "provider_token": token,
        "expires_in": PROVIDER_TOKEN_LIFETIME,
        "provider_profile": {"provider_id": provider_id, "sub": external, "name": name},
    }


@route("POST", "/v1/signin/with/provider")
def signin_with_provider(call: Call) -> dict[str, Any]:
    """Sign in the user bound to the provider identity; ``not_found`` if none is."""
    grant = _provider_grant(call)
    user = _bound_user(call.state, grant.data["provider_id"], grant.data["provider_user_id"])
    if user is None:
        raise ApiFailure("not_found", "no user is bound to this provider identity")
    ensure_active(user)
    grant.used = True
    return open_session(call.state, user, call.client_id, provider_type=grant.data["provider_id"])


def signup_with_provider(call: Call) -> dict[str, Any]:
    """``/v1/signup {provider_token}``: a new user bound to the provider identity."""
    grant = _provider_grant(call)
    if _bound_user(call.state, grant.data["provider_id"], grant.data["provider_user_id"]):
        raise ApiFailure("already_exists", "a user is bound to this provider identity")
    grant.used = True
    user = EmulatedUser(
        sub=new_numeric_sub(),
        name=call.text("name") or grant.data["name"],
        username=call.text("username"),
        password=call.text("password"),
        created_from=grant.data["provider_id"],
        providers=[_binding(grant)],
    )
    call.state.add_user(user)
    return open_session(call.state, user, call.client_id, provider_type=grant.data["provider_id"])


def provider_rows(user: EmulatedUser) -> list[dict[str, Any]]:
    """The user's bound identities, ``/user/provider`` row shape (``bind: true``)."""
    rows: list[dict[str, Any]] = []
    if user.email:
        rows.append(
            {"id": "email", "name": "email", "provider_user_name": user.email, "bind": True}
        )
    if user.phone_number:
        rows.append(
            {"id": "phone", "name": "phone", "provider_user_name": user.phone_number, "bind": True}
        )
    for bound in user.providers:
        rows.append(
            {
                "id": bound["id"],
                "name": bound["id"],
                "provider_user_name": bound["name"],
                "bind": True,
                "provider_type": bound["id"],
            }
        )
    return rows


@route("GET", "/v1/user/provider", "/v1/user/providers")
def list_providers(call: Call) -> dict[str, Any]:
    """``{total, data:[{id, name, provider_user_name, bind}]}`` for the current user."""
    rows = provider_rows(current_user(call))
    return {"total": len(rows), "data": rows}


@route("POST", "/v1/user/provider/bind")
def bind_provider(call: Call) -> dict[str, Any]:
    """Bind the provider identity of ``provider_token`` to the current user."""
    user = current_user(call)
    grant = _provider_grant(call)
    owner = _bound_user(call.state, grant.data["provider_id"], grant.data["provider_user_id"])
    if owner is not None and owner is not user:
        raise ApiFailure("already_exists", "this provider identity is bound to another user")
    if owner is None:
        user.providers.append(_binding(grant))
        user.updated_at = call.state.now()
    grant.used = True
    return {}


@route("DELETE", "/v1/user/provider/{provider_id}")
def unbind_provider(call: Call) -> dict[str, Any]:
    """Unbind a provider; ``not_found`` if it is not bound."""
    user = current_user(call)
    provider_id = call.params["provider_id"]
    kept = [p for p in user.providers if p["id"] != provider_id]
    if len(kept) == len(user.providers):
        raise ApiFailure("not_found", f"provider {provider_id} is not bound")
    user.providers = kept
    user.updated_at = call.state.now()
    return {}
