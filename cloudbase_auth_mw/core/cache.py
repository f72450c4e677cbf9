"""A small cache protocol and its bounded in-memory default.

Caches hold verified tokens, introspection answers and profiles. Memory must not grow with the
number of distinct tokens beyond ``maxsize``: the in-memory cache evicts the oldest entry when
full (insertion order; expired entries go first when met). ``get`` is on every request's hot path,
so it is one dict lookup and one clock comparison.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

K = TypeVar("K")
V = TypeVar("V")
K_contra = TypeVar("K_contra", contravariant=True)


class Cache(Protocol[K_contra, V]):
    """What a cache must do. ``ttl`` is in seconds; expired entries are never returned."""

    def get(self, key: K_contra) -> V | None: ...

    def set(self, key: K_contra, value: V, ttl: float) -> None: ...

    def delete(self, key: K_contra) -> None: ...

    def clear(self) -> None: ...


class MemoryCache(Generic[K, V]):
    """Thread-safe, bounded TTL cache; reads take no lock (a dict read is atomic in CPython)."""

    __slots__ = ("_clock", "_data", "_lock", "maxsize")

    def __init__(self, maxsize: int, *, clock: Callable[[], float] = time.time) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be positive")
        self.maxsize = maxsize
        self._clock = clock
        self._data: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[0] > self._clock():
            return entry[1]
        self.delete(key)
        return None

    def set(self, key: K, value: V, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            data = self._data
            data.pop(key, None)
            while len(data) >= self.maxsize:
                del data[next(iter(data))]
            data[key] = (self._clock() + ttl, value)

    def delete(self, key: K) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
