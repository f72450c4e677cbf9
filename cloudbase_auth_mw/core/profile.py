"""The user's profile from ``GET /auth/v1/user/me``: fetched lazily, cached by ``sub``.

One fetch per user is in flight at a time (``coalesce_key`` by ``sub``). An ``unauthenticated``
answer means the token is no longer good (401); an outage or a broken answer is a 503, and a
profile whose ``sub`` is not the token's is refused rather than shown to the wrong user.
"""

from __future__ import annotations

from collections.abc import Callable

from .cache import Cache, MemoryCache
from .config import CloudBaseAuthConfig
from .endpoints import api_request, read_json
from .errors import ApiError, ProviderUnavailable, TokenInactive, Unauthenticated
from .http import Flow, TransportError
from .identity import Identity, UserProfile


class ProfileLoader:
    """Loads and caches ``/user/me`` profiles; thread-safe."""

    def __init__(
        self,
        config: CloudBaseAuthConfig,
        *,
        clock: Callable[[], float],
        cache: Cache[str, UserProfile] | None = None,
    ) -> None:
        self._config = config
        self._cache: Cache[str, UserProfile] = cache or MemoryCache(
            config.profile_cache_size, clock=clock
        )

    def cached(self, sub: str) -> UserProfile | None:
        """The cached profile of ``sub`` when fresh (no I/O)."""
        return self._cache.get(sub)

    def forget(self, sub: str) -> None:
        """Drop the cached profile of ``sub`` (after the user changed it)."""
        self._cache.delete(sub)

    def load(self, identity: Identity, token: str) -> Flow[UserProfile]:
        """Fetch the profile with the user's own token and cache it.

        The cache is asked again here, as the flow starts: a flow created while another was
        fetching must not fetch a second time once that one is done (single-flight).
        """
        cached = self._cache.get(identity.sub)
        if cached is not None:
            return cached
        request = api_request(
            self._config, "GET", "/v1/user/me", bearer=token, coalesce_key=f"profile {identity.sub}"
        )
        try:
            data = read_json((yield request))
        except TransportError:
            raise self._unavailable() from None
        except Unauthenticated:
            raise TokenInactive() from None
        except ApiError:
            raise self._unavailable() from None
        profile = UserProfile.from_json(data)
        if profile.sub != identity.sub:
            raise ProviderUnavailable("The provider returned another user's profile.")
        self._cache.set(identity.sub, profile, self._config.profile_cache_ttl)
        return profile

    def _unavailable(self) -> ProviderUnavailable:
        return ProviderUnavailable(
            "The user profile is unavailable.", retry_after=self._config.retry_after
        )
