"""What a validated request knows about its user.

``Identity`` comes from the token alone (no network). ``UserProfile`` is the answer of
``GET /auth/v1/user/me``, fetched lazily and cached by ``sub``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _group_ids(raw: Any) -> tuple[str, ...]:
    """Groups are strings in tokens and token responses, ``{id}`` objects in ``/user/me``."""
    if not isinstance(raw, list):
        return ()
    if all(type(g) is str for g in raw):  # the token form: already a list of names
        return tuple(g for g in raw if g)
    ids = (g.get("id") if isinstance(g, Mapping) else g for g in raw)
    return tuple(str(g) for g in ids if isinstance(g, str) and g)


class Identity(NamedTuple):
    """The authenticated CloudBase user as the token describes it (no network needed).

    Immutable and cheap to build (it is made once per new token, on the cold path).
    """

    sub: str
    scopes: frozenset[str]
    groups: tuple[str, ...]
    is_anonymous: bool
    expires_at: float
    issuer: str = ""
    audience: tuple[str, ...] = ()
    claims: Mapping[str, Any] = _EMPTY

    @property
    def user_id(self) -> str:
        """CloudBase's user id (``uid``), the same value as ``sub``."""
        return self.sub

    def __repr__(self) -> str:  # claims stay out of logs
        kind = ", anonymous" if self.is_anonymous else ""
        return f"Identity(sub={self.sub!r}, scopes={sorted(self.scopes)!r}{kind})"

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Identity:
        """Build an identity from verified JWT claims (or an introspection answer).

        A ``dict`` is wrapped read-only without a copy: pass one nobody else mutates.
        """
        scope = claims.get("scope")
        scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
        aud = claims.get("aud")
        if isinstance(aud, str):
            audience: tuple[str, ...] = (aud,)
        else:
            audience = tuple(a for a in aud if isinstance(a, str)) if isinstance(aud, list) else ()
        exp = claims.get("exp")
        return cls(
            str(claims.get("sub", "")),
            scopes,
            _group_ids(claims.get("groups")),
            "anonymous" in scopes,
            float(exp) if isinstance(exp, (int, float)) else 0.0,
            str(claims.get("iss", "")),
            audience,
            MappingProxyType(claims if isinstance(claims, dict) else dict(claims)),
        )


@dataclass(frozen=True, slots=True)
class UserProfile:
    """The user's profile from ``GET /auth/v1/user/me``; ``raw`` keeps every field sent."""

    sub: str
    name: str | None = None
    username: str | None = None
    email: str | None = None
    phone_number: str | None = None
    picture: str | None = None
    gender: str | None = None
    status: str | None = None
    groups: tuple[str, ...] = ()
    has_password: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserProfile:
        """Parse a ``/user/me`` body (tolerates the SDK's camelCase twins)."""

        def text(*keys: str) -> str | None:
            for key in keys:
                value = data.get(key)
                if isinstance(value, str) and value:
                    return value
            return None

        has_password = data.get("has_password", data.get("hasPassword"))
        return cls(
            sub=text("sub", "user_id") or "",
            name=text("name"),
            username=text("username"),
            email=text("email"),
            phone_number=text("phone_number"),
            picture=text("picture", "avatarUrl"),
            gender=text("gender"),
            status=text("status"),
            groups=_group_ids(data.get("groups")),
            has_password=has_password if isinstance(has_password, bool) else None,
            created_at=text("created_at"),
            updated_at=text("updated_at"),
            raw=MappingProxyType(dict(data)),
        )
