from __future__ import annotations

import threading

from cloudbase_auth_mw.core.cache import MemoryCache

from .conftest import Clock


def test_memory_is_bounded_whatever_the_number_of_keys() -> None:
    cache = MemoryCache[str, int](100, clock=Clock())
    for i in range(10_000):
        cache.set(f"token-{i}", i, ttl=60)
    assert len(cache) == 100
    assert cache.get("token-9999") == 9999
    assert cache.get("token-0") is None  # the oldest went first


def test_entries_expire() -> None:
    clock = Clock()
    cache = MemoryCache[str, int](10, clock=clock)
    cache.set("a", 1, ttl=5)
    assert cache.get("a") == 1
    clock.advance(5)
    assert cache.get("a") is None
    assert len(cache) == 0


def test_non_positive_ttl_is_not_stored() -> None:
    cache = MemoryCache[str, int](10, clock=Clock())
    cache.set("a", 1, ttl=0)
    assert cache.get("a") is None


def test_concurrent_writers_keep_the_bound_and_their_own_values() -> None:
    cache = MemoryCache[str, str](50, clock=Clock())

    def write(worker: int) -> None:
        for i in range(500):
            key = f"{worker}-{i}"
            cache.set(key, key, ttl=60)
            value = cache.get(key)
            assert value in (None, key)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) <= 50
