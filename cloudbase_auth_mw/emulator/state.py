"""The emulator's in-memory world: users, sessions, tokens, codes and the clock.

Thread safety: every request runs with :attr:`EmulatorState.lock` held (see ``handler``);
the public :class:`~cloudbase_auth_mw.emulator.Emulator` methods take it as well.
Tokens are remembered by fingerprint (SHA-256), never stored or logged in clear.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .issuer import KeyRing, default_issuer
from .jose import b64url_encode, token_fingerprint


def rfc3339(ts: float) -> str:
    """``2023-01-01T00:00:00Z``, the form ``/user/me`` uses."""
    return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalize_phone(phone: str) -> str:
    """``"+86 13800000000"`` form: CloudBase phones carry a country code and one space."""
    phone = phone.strip()
    if not phone.startswith("+"):
        return "+86 " + phone.replace(" ", "")
    code, _, number = phone.partition(" ")
    return f"{code} {number.replace(' ', '')}" if number else phone


def new_numeric_sub() -> str:
    """A 19-digit user id, the shape of real CloudBase ``sub`` values."""
    return str(10**18 + secrets.randbelow(9 * 10**18))


def anonymous_sub(env_id: str, device_id: str) -> str:
    """22 base64url characters derived from the device id: one device, one anonymous user."""
    return b64url_encode(hashlib.sha256(f"{env_id}:{device_id}".encode()).digest()[:16])


def opaque_token(prefix: str) -> str:
    """An opaque token like CloudBase refresh tokens (``m.aB3c...``), under 128 characters."""
    return f"{prefix}.{secrets.token_urlsafe(32)}"


@dataclass(eq=False)
class EmulatedUser:
    """One user of the emulated environment. ``password`` is never shown in ``repr``."""

    sub: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    email: str | None = None
    phone_number: str | None = None
    name: str | None = None
    picture: str | None = None
    gender: str | None = None
    groups: tuple[str, ...] = ("user",)
    status: str = "ACTIVE"
    anonymous: bool = False
    created_from: str = "password"
    created_at: float = 0.0
    updated_at: float = 0.0
    password_updated_at: float | None = None
    last_login: float | None = None
    providers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def user_id(self) -> str:
        return self.sub

    @property
    def has_password(self) -> bool:
        return bool(self.password)


@dataclass(eq=False)
class Session:
    """One sign-in: the access and refresh tokens it issued die together on revoke."""

    id: str
    sub: str
    client_id: str
    scope: str
    groups: tuple[str, ...]
    provider_type: str | None = None
    revoked: bool = False
    access: set[str] = field(default_factory=set)
    refresh: str | None = None
    refresh_expires_at: float = 0.0


@dataclass
class Grant:
    """A short-lived single-purpose token: verification id/token, sudo token, captcha."""

    purpose: str
    expires_at: float
    data: dict[str, Any] = field(default_factory=dict)
    used: bool = False


@dataclass
class Settings:
    """Behaviour knobs, all changeable at run time through the Python API or admin endpoint."""

    env_id: str = "test-env"
    issuer: str = ""
    token_lifetime: int = 7200
    refresh_lifetime: int = 31 * 86400
    verification_code: str = "123456"
    anonymous_enabled: bool = True
    api_path: str = "/auth"
    #: The answer every emulated captcha image accepts (the image itself is a blank GIF).
    captcha_answer: str = "1234"
    #: Enforce the documented new-password rule (8-64 chars, upper, lower, digit, special).
    password_policy: bool = True
    #: Paths (``/v1/verification``...) that answer ``captcha_required`` without a captcha token.
    captcha_paths: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.issuer = self.issuer or default_issuer(self.env_id)


class Clock:
    """Wall clock by default; ``set(t)`` freezes it at ``t``, ``advance(s)`` moves it."""

    def __init__(self, base: Callable[[], float] | None = None) -> None:
        self._base = base or time.time
        self._frozen: float | None = None
        self._offset = 0.0

    def __call__(self) -> float:
        return self._frozen if self._frozen is not None else self._base() + self._offset

    def set(self, t: float | None) -> None:
        """Freeze at ``t``; ``None`` returns to the base clock."""
        self._frozen = t
        self._offset = 0.0

    def advance(self, seconds: float) -> None:
        if self._frozen is not None:
            self._frozen += seconds
        else:
            self._offset += seconds


class EmulatorState:
    """Everything the pure handler reads and changes."""

    def __init__(self, settings: Settings, clock: Callable[[], float] | None = None) -> None:
        self.settings = settings
        self.clock = Clock(clock)
        self.keys = KeyRing()
        self.lock = threading.RLock()
        self.users: dict[str, EmulatedUser] = {}
        self.sessions: dict[str, Session] = {}
        self.access_index: dict[str, str] = {}
        self.refresh_index: dict[str, str] = {}
        self.revoked_access: set[str] = set()
        #: Fingerprints of every access token this emulator signed since the last reset.
        self.issued_access: set[str] = set()
        self.grants: dict[str, Grant] = {}
        #: device id -> sub of that device's (still anonymous) user.
        self.anonymous_devices: dict[str, str] = {}

    def reset(self) -> None:
        """Forget users, sessions, tokens and codes (keys and settings stay)."""
        with self.lock:
            self.users.clear()
            self.sessions.clear()
            self.access_index.clear()
            self.refresh_index.clear()
            self.revoked_access.clear()
            self.issued_access.clear()
            self.grants.clear()
            self.anonymous_devices.clear()
            self.settings.captcha_paths.clear()

    def now(self) -> float:
        return self.clock()

    # ------------------------------------------------------------------ users
    def add_user(self, user: EmulatedUser) -> EmulatedUser:
        now = self.now()
        user.created_at = user.created_at or now
        user.updated_at = user.updated_at or now
        if user.password and user.password_updated_at is None:
            user.password_updated_at = now
        if user.phone_number:
            user.phone_number = normalize_phone(user.phone_number)
        self.users[user.sub] = user
        return user

    def find_user(self, login: str) -> EmulatedUser | None:
        """By user name, e-mail (case-insensitive) or phone (``+86 ...`` or bare number)."""
        login = login.strip()
        if not login:
            return None
        phone = normalize_phone(login) if login.replace(" ", "").lstrip("+").isdigit() else None
        for user in self.users.values():
            if user.anonymous:
                continue
            if login == user.username or (user.email and login.lower() == user.email.lower()):
                return user
            if phone and phone == user.phone_number:
                return user
        return None

    def delete_user(self, sub: str) -> None:
        self.users.pop(sub, None)
        for session in self.sessions.values():
            if session.sub == sub:
                self.revoke_session(session)

    # ------------------------------------------------------------------ sessions
    def sessions_of(self, sub: str) -> Iterator[Session]:
        return (s for s in list(self.sessions.values()) if s.sub == sub and not s.revoked)

    def session_for_access(self, token: str) -> Session | None:
        session_id = self.access_index.get(token_fingerprint(token))
        return self.sessions.get(session_id) if session_id else None

    def revoke_session(self, session: Session) -> None:
        session.revoked = True
        for fp in session.access:
            self.revoked_access.add(fp)
        if session.refresh:
            self.refresh_index.pop(session.refresh, None)
            session.refresh = None

    def revoke_access_token(self, token: str) -> None:
        """Revoke the token's whole session, or the lone token if it has none (minted)."""
        session = self.session_for_access(token)
        if session is not None:
            self.revoke_session(session)
        self.revoked_access.add(token_fingerprint(token))

    # ------------------------------------------------------------------ grants
    def new_grant(
        self, prefix: str, purpose: str, lifetime: float, **data: Any
    ) -> tuple[str, Grant]:
        """A new single-purpose token (``prefix.<random>``) carrying ``data``."""
        token = opaque_token(prefix)
        grant = Grant(purpose=purpose, expires_at=self.now() + lifetime, data=data)
        self.grants[token_fingerprint(token)] = grant
        return token, grant

    def take_grant(self, token: str | None, purpose: str, *, consume: bool = True) -> Grant | None:
        """The live grant for ``purpose`` named by ``token`` (marked used if ``consume``)."""
        if not token or not isinstance(token, str):
            return None
        grant = self.grants.get(token_fingerprint(token))
        if (
            grant is None
            or grant.purpose != purpose
            or grant.used
            or grant.expires_at <= self.now()
        ):
            return None
        grant.used = grant.used or consume
        return grant
