"""Typed, frozen results of the Auth v2 API calls (reference §3-§4).

Every result is parsed from a JSON object by its ``from_json`` classmethod. Secrets (access,
refresh, id, verification, sudo and captcha tokens) never appear in a ``repr``; fields the
service sends that have no attribute are kept in a read-only ``raw`` mapping, itself left out
of ``repr`` because it may carry tokens too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import ServiceError

_EMPTY: Mapping[str, Any] = MappingProxyType({})
#: The official client treats a token as expired this many seconds early (reference §5.3).
REFRESH_MARGIN = 30.0


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _int(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return default
    try:
        return int(value)
    except ValueError:
        return default


def _required(data: Mapping[str, Any], key: str, what: str) -> str:
    value = _text(data, key)
    if value is None:
        raise ServiceError("malformed_response", f"the {what} answer has no {key!r}")
    return value


def _extras(data: Mapping[str, Any], known: frozenset[str]) -> Mapping[str, Any]:
    return MappingProxyType({k: v for k, v in data.items() if k not in known})


_TOKEN_FIELDS = frozenset(
    {
        "token_type",
        "access_token",
        "refresh_token",
        "expires_in",
        "scope",
        "sub",
        "groups",
        "id_token",
    }
)


@dataclass(frozen=True, slots=True)
class TokenResponse:
    """Credentials from sign-in, sign-up and ``/token`` (reference §4).

    ``expires_at`` is computed like the official client does, from ``expires_in`` and the time
    the answer was received (``received_at``); the JWT's own ``exp`` is not read.
    ``refresh_token`` is ``None`` for ``client_credentials`` (and whenever the service omits it).
    """

    token_type: str
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: int = 0
    scope: str = ""
    sub: str = ""
    groups: tuple[str, ...] = ()
    id_token: str | None = field(default=None, repr=False)
    received_at: float = 0.0
    #: Fields sent by the service that have no attribute here (e.g. ``need_weda_resource``).
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, received_at: float = 0.0) -> TokenResponse:
        """Parse a token response; a body without ``access_token`` is a :class:`ServiceError`."""
        groups = data.get("groups")
        return cls(
            token_type=_text(data, "token_type") or "Bearer",
            access_token=_required(data, "access_token", "token"),
            refresh_token=_text(data, "refresh_token"),
            expires_in=_int(data, "expires_in"),
            scope=_text(data, "scope") or "",
            sub=_text(data, "sub") or "",
            groups=tuple(g for g in groups if isinstance(g, str))
            if isinstance(groups, list)
            else (),
            id_token=_text(data, "id_token"),
            received_at=received_at,
            raw=_extras(data, _TOKEN_FIELDS),
        )

    @property
    def expires_at(self) -> float:
        """Unix time at which the access token expires (``received_at + expires_in``)."""
        return self.received_at + self.expires_in

    @property
    def is_anonymous(self) -> bool:
        """Whether these are an anonymous user's credentials (``scope`` contains ``anonymous``)."""
        return "anonymous" in self.scope.split()

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value: ``{token_type} {access_token}`` (reference §2.1)."""
        return f"{self.token_type} {self.access_token}"

    def needs_refresh(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        """Whether to refresh before the next call: past ``expires_at - margin`` (SDK rule)."""
        return now >= self.expires_at - margin

    def to_dict(self) -> dict[str, Any]:
        """The token response as JSON-ready data (tokens included: handle with care)."""
        out: dict[str, Any] = dict(self.raw)
        out.update(
            token_type=self.token_type,
            access_token=self.access_token,
            expires_in=self.expires_in,
            scope=self.scope,
            sub=self.sub,
            groups=list(self.groups),
            expires_at=self.expires_at,
        )
        if self.refresh_token is not None:
            out["refresh_token"] = self.refresh_token
        if self.id_token is not None:
            out["id_token"] = self.id_token
        return out


@dataclass(frozen=True, slots=True)
class VerificationSent:
    """Answer of ``POST /verification``: ``is_user`` true means sign in, else sign up."""

    verification_id: str = field(repr=False)
    expires_in: int = 0
    is_user: bool = False
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VerificationSent:
        return cls(
            verification_id=_required(data, "verification_id", "verification"),
            expires_in=_int(data, "expires_in"),
            is_user=data.get("is_user") is True,
            raw=_extras(data, frozenset({"verification_id", "expires_in", "is_user"})),
        )


@dataclass(frozen=True, slots=True)
class VerificationToken:
    """Answer of ``POST /verification/verify``: proof that the code was right."""

    verification_token: str = field(repr=False)
    expires_in: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VerificationToken:
        return cls(
            verification_token=_required(data, "verification_token", "verify"),
            expires_in=_int(data, "expires_in"),
        )


@dataclass(frozen=True, slots=True)
class SudoToken:
    """Answer of ``POST /user/sudo``: a short-lived (900 s) token for sensitive operations."""

    sudo_token: str = field(repr=False)
    expires_in: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SudoToken:
        return cls(
            sudo_token=_required(data, "sudo_token", "sudo"), expires_in=_int(data, "expires_in")
        )


@dataclass(frozen=True, slots=True)
class IntrospectionResult:
    """Answer of ``GET /token/introspect``. The service answers ``{}`` for an invalid,
    expired or revoked token (reference §3.7): ``active`` is then ``False``."""

    active: bool
    sub: str = ""
    scope: str = ""
    client_id: str = ""
    token_type: str = ""
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IntrospectionResult:
        sub = _text(data, "sub") or ""
        explicit = data.get("active")  # not sent by CloudBase; honoured if a proxy adds it
        return cls(
            active=bool(sub) and explicit is not False,
            sub=sub,
            scope=_text(data, "scope") or "",
            client_id=_text(data, "client_id") or "",
            token_type=_text(data, "token_type") or "",
            raw=MappingProxyType(dict(data)),
        )

    @property
    def is_anonymous(self) -> bool:
        return "anonymous" in self.scope.split()


@dataclass(frozen=True, slots=True)
class Provider:
    """One identity provider of ``GET /user/provider``."""

    id: str
    name: str = ""
    bind: bool = False
    provider_user_name: str | None = None
    provider_type: str | None = None
    picture: str | None = None
    homepage: str | None = None
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Provider:
        return cls(
            id=_text(data, "id") or "",
            name=_text(data, "name") or "",
            bind=data.get("bind") is True,
            provider_user_name=_text(data, "provider_user_name"),
            provider_type=_text(data, "provider_type"),
            picture=_text(data, "picture"),
            homepage=_text(data, "homepage"),
            raw=MappingProxyType(dict(data)),
        )


@dataclass(frozen=True, slots=True)
class ProviderList:
    """Answer of ``GET /user/provider``: ``{total, data: [...]}``."""

    total: int
    providers: tuple[Provider, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProviderList:
        items = data.get("data")
        providers = tuple(
            Provider.from_json(item) for item in items or () if isinstance(item, Mapping)
        )
        return cls(total=_int(data, "total", len(providers)), providers=providers)

    @property
    def bound(self) -> tuple[Provider, ...]:
        """The providers bound to the user."""
        return tuple(p for p in self.providers if p.bind)


@dataclass(frozen=True, slots=True)
class ProviderToken:
    """Answer of ``POST /provider/token``: a ``provider_token`` for sign-in, sign-up or bind,
    and what the provider says about the user (``provider_profile``)."""

    provider_token: str = field(repr=False)
    expires_in: int = 0
    provider_profile: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProviderToken:
        profile = data.get("provider_profile")
        return cls(
            provider_token=_required(data, "provider_token", "provider token"),
            expires_in=_int(data, "expires_in"),
            provider_profile=MappingProxyType(
                dict(profile) if isinstance(profile, Mapping) else {}
            ),
        )


@dataclass(frozen=True, slots=True)
class CaptchaData:
    """Answer of ``POST /captcha/data``: an image (``data:`` URI) to show and its token."""

    data: str = field(repr=False)
    token: str = field(repr=False)
    type: str = "image"
    expires_in: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaptchaData:
        return cls(
            data=_text(data, "data") or "",
            token=_required(data, "token", "captcha data"),
            type=_text(data, "type") or "image",
            expires_in=_int(data, "expires_in"),
        )


@dataclass(frozen=True, slots=True)
class CaptchaToken:
    """Answer of ``POST /captcha/data/verify``: retry the refused call with ``captcha_token``."""

    captcha_token: str = field(repr=False)
    expires_in: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaptchaToken:
        return cls(
            captcha_token=_required(data, "captcha_token", "captcha verify"),
            expires_in=_int(data, "expires_in"),
        )


__all__ = [
    "REFRESH_MARGIN",
    "CaptchaData",
    "CaptchaToken",
    "IntrospectionResult",
    "Provider",
    "ProviderList",
    "ProviderToken",
    "SudoToken",
    "TokenResponse",
    "VerificationSent",
    "VerificationToken",
]
