"""Shared caches on Redis (the ``redis`` extra): profiles and introspection verdicts.

Several worker processes then fetch a user's profile, or ask CloudBase about a token, once
between them instead of once each. Keys are namespaced and hashed (SHA-256): a raw access token
never reaches Redis. Values are JSON. A Redis failure is a cache miss (logged without the key),
never an authentication failure.

Keep the verified-token cache in memory (the default): it sits on every request's hot path,
where a network round trip would cost more than the RS256 verify it saves.

::

    import redis
    from cloudbase_auth_mw.cache_redis import redis_introspection_cache, redis_profile_cache

    client = redis.Redis(host="127.0.0.1", port=6379)
    guard = CloudBaseGuard(
        config,
        profile_cache=redis_profile_cache(client),
        introspection_cache=redis_introspection_cache(client),
    )

The cache interface is synchronous: from async code each call is one short blocking round trip
to a Redis that should be near (loopback or the same rack).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import redis

from .core.identity import UserProfile
from .core.introspection import Verdict

logger = logging.getLogger(__name__)
V = TypeVar("V")


class RedisCache(Generic[V]):
    """A TTL cache in Redis implementing :class:`~cloudbase_auth_mw.core.cache.Cache`."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        namespace: str,
        encode: Callable[[V], Any],
        decode: Callable[[Any], V],
    ) -> None:
        self._client = client
        self._namespace = namespace
        self._encode = encode
        self._decode = decode

    def _name(self, key: str) -> str:
        return f"{self._namespace}:{hashlib.sha256(key.encode()).hexdigest()}"

    def get(self, key: str) -> V | None:
        try:
            raw = self._client.get(self._name(key))
        except redis.RedisError as exc:
            logger.warning("redis cache %s: read failed (%s)", self._namespace, type(exc).__name__)
            return None
        if raw is None:
            return None
        try:
            return self._decode(json.loads(raw))
        except (ValueError, TypeError, KeyError):
            return None

    def set(self, key: str, value: V, ttl: float) -> None:
        if ttl <= 0:
            return
        payload = json.dumps(self._encode(value), separators=(",", ":"))
        try:
            self._client.set(self._name(key), payload, px=max(1, int(ttl * 1000)))
        except redis.RedisError as exc:
            logger.warning("redis cache %s: write failed (%s)", self._namespace, type(exc).__name__)

    def delete(self, key: str) -> None:
        try:
            self._client.delete(self._name(key))
        except redis.RedisError as exc:
            logger.warning(
                "redis cache %s: delete failed (%s)", self._namespace, type(exc).__name__
            )

    def clear(self) -> None:
        """Delete every entry of this namespace (SCAN, not KEYS: safe on a busy server)."""
        for name in self._client.scan_iter(match=f"{self._namespace}:*", count=500):
            self._client.delete(name)


def redis_profile_cache(
    client: redis.Redis, *, namespace: str = "cloudbase-auth:profile"
) -> RedisCache[UserProfile]:
    """Profiles by ``sub``, stored as the ``/user/me`` JSON they came from."""
    return RedisCache(
        client,
        namespace=namespace,
        encode=lambda profile: dict(profile.raw),
        decode=UserProfile.from_json,
    )


def _encode_verdict(value: tuple[Verdict]) -> Any:
    return None if value[0] is None else dict(value[0])


def _decode_verdict(raw: Any) -> tuple[Verdict]:
    if raw is not None and not isinstance(raw, Mapping):
        raise TypeError("not a verdict")
    return (raw,)


def redis_introspection_cache(
    client: redis.Redis, *, namespace: str = "cloudbase-auth:introspect"
) -> RedisCache[tuple[Verdict]]:
    """Introspection verdicts by token digest (the active claims, or ``null`` for inactive)."""
    return RedisCache(client, namespace=namespace, encode=_encode_verdict, decode=_decode_verdict)
