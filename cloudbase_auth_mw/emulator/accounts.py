"""Account helpers shared by the routes: status checks, password and contact matching."""

from __future__ import annotations

import secrets

from .errors import ApiFailure, invalid_argument
from .routing import Call
from .state import EmulatedUser, EmulatorState, normalize_phone


def ensure_active(user: EmulatedUser) -> None:
    """Blocked or pending users cannot sign in."""
    if user.status == "BLOCKED":
        raise ApiFailure("user_blocked", "the user is disabled")
    if user.status == "PENDING":
        raise ApiFailure("user_pending", "the user is not activated")


def login_kind(user: EmulatedUser, login: str) -> str:
    """``provider_type`` claim for a password sign-in: how the user named themselves."""
    if user.email and login.lower() == user.email.lower():
        return "email"
    return "username" if login == user.username else "phone"


def password_matches(user: EmulatedUser, password: str) -> bool:
    """Constant-time password check; a user without a password matches nothing."""
    return bool(user.password) and secrets.compare_digest(
        str(user.password).encode(), password.encode()
    )


def password_user(state: EmulatorState, login: str | None, password: str | None) -> EmulatedUser:
    """The user whose login and password match, or the documented error."""
    if not login or not password:
        raise invalid_argument("username and password are required")
    user = state.find_user(login)
    if user is None:
        raise ApiFailure("not_found", "user not found")
    if not user.password:
        raise ApiFailure("password_not_set", "the user has no password")
    if not password_matches(user, password):
        raise ApiFailure("invalid_password", "wrong user name or password")
    ensure_active(user)
    return user


def contact(call: Call) -> tuple[str, str]:
    """``("phone", "+86 …")`` or ``("email", …)`` from the body; exactly one is required."""
    phone, email = call.text("phone_number"), call.text("email")
    if bool(phone) == bool(email):
        raise invalid_argument("give exactly one of phone_number and email")
    if phone:
        return "phone", normalize_phone(phone)
    return "email", str(email).strip()


def user_by_contact(state: EmulatorState, kind: str, value: str) -> EmulatedUser | None:
    user = state.find_user(value)
    if user is None:
        return None
    own = user.phone_number if kind == "phone" else (user.email or "").lower()
    return user if own == (value if kind == "phone" else value.lower()) else None
