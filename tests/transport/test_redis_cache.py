"""Shared caches on a real Redis (127.0.0.1:6379): two workers, one fetch."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from cloudbase_auth_mw.cache_redis import redis_introspection_cache, redis_profile_cache
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing.services import require_service


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    require_service("Redis", "127.0.0.1", 6379)
    connection = redis.Redis(host="127.0.0.1", port=6379)
    yield connection
    connection.close()


@pytest.fixture
def namespace(client: redis.Redis) -> Iterator[str]:
    name = f"cbtest-{uuid.uuid4().hex}"
    yield name
    for key in client.scan_iter(match=f"{name}*"):
        client.delete(key)


def _worker(
    emulator: Emulator, client: redis.Redis, namespace: str, **overrides: object
) -> CloudBaseGuard:
    config = CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url, **overrides)  # type: ignore[arg-type]
    return CloudBaseGuard(
        config,
        profile_cache=redis_profile_cache(client, namespace=f"{namespace}:profile"),
        introspection_cache=redis_introspection_cache(client, namespace=f"{namespace}:introspect"),
    )


def test_two_workers_share_one_profile_fetch(
    emulator: Emulator, client: redis.Redis, namespace: str
) -> None:
    user = emulator.add_user(
        username="shared", password="Passw0rd!", name="Shared", groups=("user",)
    )
    token = emulator.mint_access_token(user.sub)
    first, second = (_worker(emulator, client, namespace) for _ in range(2))
    assert first.fetch_profile(first.authenticate(token), token).name == "Shared"
    profile = second.fetch_profile(second.authenticate(token), token)
    assert profile.name == "Shared" and profile.groups == ("user",)
    assert emulator.counters["/auth/v1/user/me"] == 1


def test_two_workers_share_introspection_and_tokens_stay_out_of_redis(
    emulator: Emulator, client: redis.Redis, namespace: str
) -> None:
    user = emulator.add_user(username="intro", password="Passw0rd!")
    token = emulator.mint_access_token(user.sub)
    first, second = (
        _worker(emulator, client, namespace, verify_mode="introspect") for _ in range(2)
    )
    assert first.authenticate(token).sub == user.sub
    assert second.authenticate(token).sub == user.sub
    assert emulator.counters["/auth/v1/token/introspect"] == 1
    for key in client.scan_iter(match=f"{namespace}*"):
        assert token.encode() not in key
        assert token.encode() not in (client.get(key) or b"")


def test_redis_down_is_a_cache_miss_not_a_failure(emulator: Emulator) -> None:
    dead = redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    user = emulator.add_user(username="nodis", password="Passw0rd!", name="No Redis")
    token = emulator.mint_access_token(user.sub)
    guard = _worker(emulator, dead, "unused", verify_mode="introspect")
    identity = guard.authenticate(token)
    assert guard.fetch_profile(identity, token).name == "No Redis"
