"""The emulator's key ring and access-token minting (reference §5.1, §6).

Claims follow the decoded real tokens: ``iss`` (``http://{env}.ap-shanghai.tcb-api.
tencentcloudapi.com`` by default), ``sub``, ``aud`` (client id, default env id), ``exp =
iat + lifetime``, ``iat``, ``at_hash``, ``project_id``, ``meta``, ``scope``, ``groups``,
``provider_type``, ``user_type``; anonymous tokens add ``nonce`` and ``name: "Anonymous"``.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from .jose import SigningKey, b64url_encode, sign_jwt, verify_jwt

ANONYMOUS_SCOPE = "anonymous"
USER_SCOPE = "user sso"


def default_issuer(env_id: str, region: str = "ap-shanghai") -> str:
    """The ``iss`` observed on real tokens (CLOUD_API host form, plain ``http``)."""
    return f"http://{env_id}.{region}.tcb-api.tencentcloudapi.com"


def gateway_issuer(env_id: str) -> str:
    """The gateway ``iss`` form reported by third parties (unconfirmed)."""
    return f"https://{env_id}.api.tcloudbasegateway.com"


class KeyRing:
    """The signing keys: ``current`` signs, all are published in the JWKS (two by default)."""

    def __init__(self, initial: int = 2) -> None:
        self._lock = threading.Lock()
        self._next_index = 0
        self._keys: list[SigningKey] = [self._new_key() for _ in range(initial)]
        self._initial = list(self._keys)

    def _new_key(self) -> SigningKey:
        key = SigningKey.generate(pool_index=self._next_index)
        self._next_index += 1
        return key

    @property
    def current(self) -> SigningKey:
        return self._keys[0]

    @property
    def keys(self) -> tuple[SigningKey, ...]:
        return tuple(self._keys)

    def get(self, kid: str | None = None) -> SigningKey:
        """The key with ``kid`` (``KeyError`` if unknown), or the current key."""
        if kid is None:
            return self.current
        for key in self._keys:
            if key.kid == kid:
                return key
        raise KeyError(kid)

    def rotate(self, keep_old: bool = True) -> SigningKey:
        """Sign with a new key (new UUID ``kid``); old keys stay published if ``keep_old``."""
        with self._lock:
            key = self._new_key()
            self._keys = [key, *self._keys] if keep_old else [key]
            return key

    def restore(self) -> None:
        """Back to the initial key set (rotations undone; their pool material is reused)."""
        with self._lock:
            self._keys = list(self._initial)
            self._next_index = len(self._initial)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.jwk() for key in self._keys]}

    def verify(self, token: str) -> dict[str, Any] | None:
        return verify_jwt(token, self._keys)


def at_hash(seed: str) -> str:
    """An ``at_hash``-shaped value (22 base64url chars)."""
    return b64url_encode(hashlib.sha256(seed.encode()).digest()[:16])


def build_claims(
    *,
    issuer: str,
    env_id: str,
    sub: str,
    audience: str,
    scope: str,
    groups: Sequence[str],
    issued_at: int,
    lifetime: int,
    provider_type: str | None = None,
) -> dict[str, Any]:
    """The claim set of one access token, in the order real tokens list them."""
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": sub,
        "aud": audience,
        "exp": issued_at + lifetime,
        "iat": issued_at,
        "at_hash": at_hash(secrets.token_hex(8)),
        "scope": scope,
        "project_id": env_id,
        "meta": {"wxOpenId": "", "wxUnionId": ""},
        "groups": list(groups),
    }
    if scope == ANONYMOUS_SCOPE:
        claims["nonce"] = str(uuid.uuid4())
        claims["name"] = "Anonymous"
    else:
        claims["provider_type"] = provider_type or "username"
        claims["user_type"] = ""
    return claims


def apply_overrides(claims: dict[str, Any], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Replace claims; an override of ``None`` removes the claim."""
    for name, value in (overrides or {}).items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def mint(
    ring: KeyRing,
    claims: Mapping[str, Any],
    *,
    kid: str | None = None,
    header_overrides: Mapping[str, Any] | None = None,
) -> str:
    """Sign ``claims`` with the current key (or the key named ``kid``)."""
    return sign_jwt(claims, ring.get(kid), header_overrides)
