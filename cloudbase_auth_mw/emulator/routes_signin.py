"""Sign-in, sign-up and verification codes (reference §3.1-§3.5).

Seed variant accepted: ``POST /v1/signin-anonymously`` (same as ``/v1/signin/anonymously``).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from .accounts import contact, ensure_active, login_kind, password_user, user_by_contact
from .captcha import require_captcha
from .credentials import check_access_token, open_session
from .errors import ApiFailure, invalid_argument, unauthenticated
from .routes_provider import signup_with_provider
from .routing import Call, route
from .state import EmulatedUser, anonymous_sub, new_numeric_sub

log = logging.getLogger("cloudbase_auth_mw.emulator")

CODE_LIFETIME = 600
TARGETS = ("ANY", "USER", "NOT_USER", "CUR_USER")


@route("POST", "/v1/signin/anonymously", "/v1/signin-anonymously")
def signin_anonymously(call: Call) -> dict[str, Any]:
    """One device id, one anonymous user: the same ``sub`` every time."""
    state, device = call.state, call.device_id
    if not device:
        raise invalid_argument(
            "please add device ID in the request header, x-device-id is not passed"
        )
    if not state.settings.anonymous_enabled:
        raise ApiFailure(
            "unimplemented",
            "anonymous login is not enabled, go to the Cloud Development Platform to enable it",
            status=403,
        )
    sub = state.anonymous_devices.get(device)
    user = state.users.get(sub) if sub else None
    if user is None or not user.anonymous:
        sub = anonymous_sub(state.settings.env_id, device)
        if sub in state.users:  # that device's first anonymous user was upgraded
            sub = anonymous_sub(state.settings.env_id, device + secrets.token_hex(4))
        user = state.add_user(
            EmulatedUser(
                sub=sub,
                name="anonymous",
                groups=("anonymous",),
                anonymous=True,
                created_from="anonymous",
            )
        )
        state.anonymous_devices[device] = sub
    ensure_active(user)
    return open_session(state, user, call.client_id)


@route("POST", "/v1/signin")
def signin(call: Call) -> dict[str, Any]:
    """Password (``username`` = name, e-mail or phone) or OTP (``verification_token``)."""
    state = call.state
    token = call.text("verification_token")
    if token is not None:
        grant = state.take_grant(token, "verification_token")
        if grant is None:
            raise invalid_argument("verification_token is invalid or expired")
        user = user_by_contact(state, grant.data["kind"], grant.data["value"])
        if user is None:
            raise ApiFailure("not_found", "user not found")
        ensure_active(user)
        return open_session(state, user, call.client_id, provider_type=grant.data["kind"])
    login = call.text("username")
    user = password_user(state, login, call.text("password"))
    return open_session(state, user, call.client_id, provider_type=login_kind(user, str(login)))


def _upgrade_target(call: Call) -> EmulatedUser | None:
    """The anonymous user named by ``anonymous_token``, if any (upgrade keeps its ``sub``)."""
    token = call.text("anonymous_token")
    if token is None:
        return None
    claims = check_access_token(call.state, token)
    user = call.state.users.get(str(claims.get("sub"))) if claims else None
    if user is None or not user.anonymous:
        raise unauthenticated("anonymous_token is not a live anonymous access token")
    return user


def _apply_signup_fields(call: Call, user: EmulatedUser) -> None:
    state = call.state
    username = call.text("username")
    if username and state.find_user(username) not in (None, user):
        raise ApiFailure("already_exists", "the user name is taken")
    user.username = username or user.username
    user.password = call.text("password") or user.password
    user.name = call.text("name") or (None if user.anonymous else user.name)
    for attr in ("gender", "picture"):
        setattr(user, attr, call.text(attr) or getattr(user, attr))


@route("POST", "/v1/signup")
def signup(call: Call) -> dict[str, Any]:
    """Phone or e-mail + ``verification_token`` (+ optional extras), or ``provider_token``."""
    state = call.state
    if call.text("provider_token"):
        return signup_with_provider(call)
    token = call.text("verification_token")
    if token is None:
        raise invalid_argument(
            "verification_token is required: user name and password alone cannot sign up"
        )
    kind, value = contact(call)
    grant = state.take_grant(token, "verification_token", consume=False)
    if grant is None or (grant.data["kind"], grant.data["value"]) != (kind, value):
        raise invalid_argument("verification_token is invalid, expired or for another contact")
    if user_by_contact(state, kind, value) is not None:
        raise ApiFailure("already_exists", "a user with this contact exists")
    user = _upgrade_target(call) or EmulatedUser(sub=new_numeric_sub())
    _apply_signup_fields(call, user)
    grant.used = True
    was_anonymous = user.anonymous
    user.anonymous, user.groups, user.created_from = False, ("user",), kind
    setattr(user, "phone_number" if kind == "phone" else "email", value)
    if was_anonymous:
        for session in state.sessions_of(user.sub):
            state.revoke_session(session)
        state.anonymous_devices = {
            d: s for d, s in state.anonymous_devices.items() if s != user.sub
        }
    state.add_user(user)
    return open_session(state, user, call.client_id, provider_type=kind)


def _check_target(call: Call, target: str, user: EmulatedUser | None) -> bool:
    """Apply ``target`` (default ANY); returns ``is_user``."""
    if target not in TARGETS:
        raise invalid_argument(f"target must be one of {', '.join(TARGETS)}")
    if target == "USER" and user is None:
        raise ApiFailure("not_found", "user not found")
    if target == "NOT_USER" and user is not None:
        raise ApiFailure("already_exists", "a user with this contact exists")
    if target == "CUR_USER" and check_access_token(call.state, call.bearer) is None:
        raise unauthenticated()
    return user is not None


@route("POST", "/v1/verification")
def send_verification(call: Call) -> dict[str, Any]:
    """ "Send" a code (the fixed ``verification_code``, logged) and answer its id."""
    require_captcha(call)
    state = call.state
    kind, value = contact(call)
    is_user = _check_target(call, call.text("target") or "ANY", user_by_contact(state, kind, value))
    code = state.settings.verification_code
    verification_id, _ = state.new_grant(
        "vid", "verification", CODE_LIFETIME, kind=kind, value=value, code=code, is_user=is_user
    )
    log.info("emulator verification code for a %s contact: %s", kind, code)
    return {"verification_id": verification_id, "expires_in": CODE_LIFETIME, "is_user": is_user}


@route("POST", "/v1/verification/verify")
def verify_code(call: Call) -> dict[str, Any]:
    """``{verification_id, verification_code}`` -> ``{verification_token, expires_in}``."""
    state = call.state
    grant = state.take_grant(call.require("verification_id"), "verification", consume=False)
    if grant is None:
        raise invalid_argument("verification_id is invalid or expired")
    code = call.require("verification_code")
    if not secrets.compare_digest(code.encode(), str(grant.data["code"]).encode()):
        raise ApiFailure("invalid_verification_code", "wrong verification code")
    grant.used = True
    token, _ = state.new_grant(
        "vt",
        "verification_token",
        CODE_LIFETIME,
        kind=grant.data["kind"],
        value=grant.data["value"],
    )
    return {"verification_token": token, "expires_in": CODE_LIFETIME}
