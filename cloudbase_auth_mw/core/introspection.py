"""Remote validation with ``GET /auth/v1/token/introspect`` (Bearer = the token to check).

The service answers HTTP 200 ``{}`` for an invalid, expired or revoked token (no ``active``
field), and ``{token_type, client_id, sub, scope, ...}`` for a valid one. Answers are cached by a
SHA-256 of the token (the token itself is never a key here), never longer than the token lives
or ``introspection_cache_ttl``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from .cache import Cache, MemoryCache
from .config import CloudBaseAuthConfig
from .endpoints import api_request, read_json
from .errors import (
    ApiError,
    InvalidAudience,
    MalformedToken,
    ProviderUnavailable,
    ServiceError,
    TokenInactive,
)
from .http import Flow, TransportError
from .identity import Identity
from .jws import json_segment

#: Cached verdict: the active claims, or ``None`` for an inactive token.
Verdict = Mapping[str, Any] | None
_INACTIVE_TTL = 5.0


def token_digest(token: str) -> str:
    """The cache key for ``token``: a SHA-256 hex digest."""
    return hashlib.sha256(token.encode()).hexdigest()


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT-shaped token, unverified: only used once the provider vouched for it."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        return json_segment(parts[1])
    except MalformedToken:
        return {}


class Introspector:
    """Asks CloudBase whether a token is active; caches verdicts (bounded)."""

    def __init__(
        self,
        config: CloudBaseAuthConfig,
        *,
        clock: Callable[[], float],
        cache: Cache[str, tuple[Verdict]] | None = None,
    ) -> None:
        self._config = config
        self._clock = clock
        self._cache: Cache[str, tuple[Verdict]] = cache or MemoryCache(
            config.introspection_cache_size, clock=clock
        )

    def check(self, token: str) -> Flow[Identity]:
        """The identity of an active ``token``; raises :class:`TokenInactive` or 503."""
        digest = token_digest(token)
        cached = self._cache.get(digest)
        if cached is not None:
            return self._identity(cached[0])
        verdict = yield from self._ask(token, digest)
        self._cache.set(digest, (verdict,), self._ttl(verdict))
        return self._identity(verdict)

    def _ask(self, token: str, digest: str) -> Flow[Verdict]:
        request = api_request(
            self._config,
            "GET",
            "/v1/token/introspect",
            bearer=token,
            params={"client_id": self._config.effective_client_id},
            coalesce_key=f"introspect {digest}",
        )
        try:
            data = read_json((yield request))
        except TransportError:
            raise self._unavailable() from None
        except ServiceError:
            raise self._unavailable() from None
        except ApiError as exc:  # unauthenticated & co: the token is not good
            if exc.status is not None and exc.status >= 500:
                raise self._unavailable() from None
            return None
        if not isinstance(data.get("sub"), str) or not data["sub"]:
            return None
        return {**unverified_claims(token), **data}

    def _unavailable(self) -> ProviderUnavailable:
        return ProviderUnavailable(
            "Token introspection is unavailable.", retry_after=self._config.retry_after
        )

    def _ttl(self, verdict: Verdict) -> float:
        ttl = self._config.introspection_cache_ttl
        if self._config.verify_mode == "jwks+introspect":  # a re-check must really ask
            ttl = min(ttl, self._config.recheck_interval)
        if verdict is None:
            return min(_INACTIVE_TTL, ttl)
        exp = verdict.get("exp")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool):
            ttl = min(ttl, float(exp) - self._clock())
        return ttl

    def _identity(self, verdict: Verdict) -> Identity:
        if verdict is None:
            raise TokenInactive()
        client_id = verdict.get("client_id")
        audiences = self._config.effective_audiences
        aud = verdict.get("aud")
        named = {client_id} if isinstance(client_id, str) else set()
        named |= {aud} if isinstance(aud, str) else set(aud if isinstance(aud, list) else ())
        if named and not named & audiences:
            raise InvalidAudience()
        return Identity.from_claims(verdict)
