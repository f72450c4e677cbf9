"""``Authenticator``: a bearer token in, an :class:`Identity` out, as a flow.

Modes (``config.verify_mode``):

- ``jwks``: strict parse, key by ``kid`` from the key set, RS256 verify, claim checks;
- ``static``: the same against one configured public key;
- ``introspect``: ask CloudBase (``/token/introspect``); revocation is seen at once;
- ``jwks+introspect``: local checks, then a remote re-check at most every ``recheck_interval``
  seconds per token (fail closed: an outage during a re-check is a 503).

Verified tokens are cached (bounded) until the earliest of their expiry (plus leeway),
``token_cache_ttl`` and, with re-checks, ``recheck_interval``; ``cached`` is the hot path.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .cache import Cache, MemoryCache
from .claims import check_claims
from .config import CloudBaseAuthConfig
from .errors import TokenInactive
from .http import Flow
from .identity import Identity
from .introspection import Introspector, Verdict
from .jws import parse_token, verify_signature
from .keyset import KeySet, StaticKey


class Authenticator:
    """Validates tokens per the configured mode; one per application, thread-safe."""

    def __init__(
        self,
        config: CloudBaseAuthConfig,
        *,
        clock: Callable[[], float] = time.time,
        token_cache: Cache[str, Identity] | None = None,
        introspection_cache: Cache[str, tuple[Verdict]] | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self._cache: Cache[str, Identity] = token_cache or MemoryCache(
            config.token_cache_size, clock=clock
        )
        self.keys: KeySet | StaticKey = (
            StaticKey(config.public_key)
            if config.public_key and config.verify_mode == "static"
            else KeySet(config, clock=clock)
        )
        self.introspector = Introspector(config, clock=clock, cache=introspection_cache)
        #: The hot path: the identity of a token verified before and still valid, or ``None``.
        self.cached: Callable[[str], Identity | None] = self._cache.get

    def verify_offline(self, token: str) -> Identity | None:
        """Validate ``token`` without I/O when possible; ``None`` means "run :meth:`authenticate`".

        In ``jwks``/``static`` mode with the token's key already cached, this is the whole
        validation (parse, verify, claims) with no generator in between: the fast cold path.
        Invalid tokens raise here exactly as in :meth:`authenticate`.
        """
        config = self.config
        if config.verify_mode not in ("jwks", "static"):
            return None
        parsed = parse_token(token, max_bytes=config.max_token_bytes, algorithms=config.algorithms)
        key = self.keys.key_now(parsed.kid)
        if key is None:
            return None
        verify_signature(parsed, key)
        check_claims(parsed.claims, config, self._clock())
        identity = Identity.from_claims(parsed.claims)
        self._remember(token, identity, config.token_cache_ttl)
        return identity

    def authenticate(self, token: str) -> Flow[Identity]:
        """Validate ``token`` fully and remember the result; raises :class:`InvalidToken` & co."""
        mode = self.config.verify_mode
        if mode == "introspect":
            identity = yield from self.introspector.check(token)
            self._remember(token, identity, self.config.introspection_cache_ttl)
            return identity
        identity = yield from self._verify_locally(token)
        ttl = self.config.token_cache_ttl
        if mode == "jwks+introspect":
            remote = yield from self.introspector.check(token)
            if remote.sub != identity.sub:
                raise TokenInactive()
            ttl = min(ttl, self.config.recheck_interval)
        self._remember(token, identity, ttl)
        return identity

    def _verify_locally(self, token: str) -> Flow[Identity]:
        config = self.config
        parsed = parse_token(token, max_bytes=config.max_token_bytes, algorithms=config.algorithms)
        key = yield from self.keys.key_for(parsed.kid)
        verify_signature(parsed, key)
        check_claims(parsed.claims, config, self._clock())
        return Identity.from_claims(parsed.claims)

    def _remember(self, token: str, identity: Identity, ttl: float) -> None:
        lifetime = (
            identity.expires_at + self.config.leeway - self._clock() if identity.expires_at else ttl
        )
        self._cache.set(token, identity, min(ttl, lifetime))

    def forget(self, token: str) -> None:
        """Drop ``token`` from the cache (after revoking it, say)."""
        self._cache.delete(token)
