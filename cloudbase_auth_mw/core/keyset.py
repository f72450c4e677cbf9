"""The key set (JWKS) cache: TTL, kid-miss cooldown, negative-kid memory, stale-if-error.

Rules, all driven by the injected clock:

- keys are fetched on first use and again after ``jwks_cache_ttl``;
- a token naming an unknown ``kid`` triggers at most one refresh per ``jwks_refresh_cooldown``,
  and the kid is remembered as unknown for ``unknown_kid_ttl`` (bounded memory), so attacker-
  chosen kids cannot make us hammer the provider;
- when a refresh fails, the last good keys keep serving until ``jwks_stale_grace`` after they
  went stale; then (or with no keys at all) the answer is :class:`ProviderUnavailable` (503);
- after a failed fetch no new attempt is made for a short backoff, so an outage does not put a
  connect timeout on every request.

Fetches are flows; the drivers make them single-flight (``coalesce_key``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .cache import MemoryCache
from .config import CloudBaseAuthConfig
from .errors import ConfigurationError, ProviderUnavailable, UnknownKeyId
from .http import Flow, HttpRequest, TransportError
from .jws import rsa_key_from_jwk

_NEVER = float("-inf")
#: Seconds without a new attempt after a failed fetch (bounded by the kid-miss cooldown).
FAILURE_BACKOFF = 5.0
#: How many unknown kids are remembered at most.
UNKNOWN_KID_MEMORY = 1024


class KeySet:
    """Public keys by ``kid``, fetched from ``config.effective_jwks_url``; thread-safe."""

    def __init__(self, config: CloudBaseAuthConfig, *, clock: Callable[[], float]) -> None:
        self._config = config
        self._clock = clock
        self._keys: Mapping[str, rsa.RSAPublicKey] = {}
        self._fetched_at = _NEVER
        self._failed_at = _NEVER
        self._kid_refresh_at = _NEVER
        self._unknown = MemoryCache[str, bool](UNKNOWN_KID_MEMORY, clock=clock)

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def key_now(self, kid: str | None) -> rsa.RSAPublicKey | None:
        """The key for ``kid`` when the set is fresh and has it; ``None`` if I/O may be needed."""
        if self._clock() - self._fetched_at < self._config.jwks_cache_ttl:
            return self._keys.get(kid or "")
        return None

    def key_for(self, kid: str | None) -> Flow[rsa.RSAPublicKey]:
        """The key for ``kid``, refreshing the set when stale or (rate-limited) on a miss."""
        now = self._clock()
        fresh = now - self._fetched_at < self._config.jwks_cache_ttl
        if not fresh:
            yield from self._refresh_or_serve_stale(now)
            return self._lookup(kid)
        key = self._keys.get(kid or "")
        if key is not None:
            return key
        if kid is None or self._unknown.get(kid) or not self._may_refresh_for_kid(now):
            return self._lookup(kid)
        self._kid_refresh_at = now
        yield from self._refresh()
        return self._lookup(kid)

    def _may_refresh_for_kid(self, now: float) -> bool:
        cooldown = self._config.jwks_refresh_cooldown
        return now - self._kid_refresh_at >= cooldown and now - self._failed_at >= cooldown

    def _lookup(self, kid: str | None) -> rsa.RSAPublicKey:
        key = self._keys.get(kid or "")
        if key is None:
            if kid is not None:
                self._unknown.set(kid, True, self._config.unknown_kid_ttl)
            raise UnknownKeyId()
        return key

    def _refresh_or_serve_stale(self, now: float) -> Flow[None]:
        usable_until = (
            self._fetched_at + self._config.jwks_cache_ttl + self._config.jwks_stale_grace
        )
        backoff = min(FAILURE_BACKOFF, self._config.jwks_refresh_cooldown)
        try:
            if now - self._failed_at < backoff:
                raise ProviderUnavailable(
                    "The key set is unavailable.", retry_after=self._retry_after
                )
            yield from self._refresh()
        except ProviderUnavailable:
            if not self._keys or now >= usable_until:
                raise

    @property
    def _retry_after(self) -> int:
        return self._config.retry_after

    def _refresh(self) -> Flow[None]:
        url = self._config.effective_jwks_url
        request = HttpRequest(
            "GET",
            url,
            headers={"accept": "application/json"},
            coalesce_key=f"jwks {url}",
            idempotent=True,
        )
        try:
            response = yield request
            keys = parse_jwks(response.body) if response.status == 200 else {}
        except TransportError:
            keys = {}
        if not keys:
            self._failed_at = self._clock()
            raise ProviderUnavailable("The key set is unavailable.", retry_after=self._retry_after)
        self._keys = keys
        self._fetched_at = self._clock()
        self._failed_at = _NEVER
        self._unknown.clear()


def parse_jwks(body: bytes) -> dict[str, rsa.RSAPublicKey]:
    """Usable RSA signing keys of a JWKS document by ``kid`` (empty when it is unusable)."""
    try:
        document: Any = json.loads(body)
    except ValueError:
        return {}
    entries = document.get("keys") if isinstance(document, dict) else None
    keys: dict[str, rsa.RSAPublicKey] = {}
    for jwk in entries if isinstance(entries, list) else ():
        if isinstance(jwk, dict) and isinstance(jwk.get("kid"), str):
            key = rsa_key_from_jwk(jwk)
            if key is not None:
                keys[jwk["kid"]] = key
    return keys


class StaticKey:
    """``static`` mode: one configured PEM public key, whatever ``kid`` the token names."""

    def __init__(self, pem: str) -> None:
        try:
            key = serialization.load_pem_public_key(pem.encode())
        except ValueError:
            raise ConfigurationError(
                "CloudBase auth setting 'public_key': not a PEM public key"
            ) from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise ConfigurationError(
                "CloudBase auth setting 'public_key': must be an RSA public key"
            )
        self._key = key

    def key_now(self, kid: str | None) -> rsa.RSAPublicKey:
        return self._key

    def key_for(self, kid: str | None) -> Flow[rsa.RSAPublicKey]:
        return self._key
        yield  # pragma: no cover
