"""Fault injection and request counters, applied by the WSGI layer around the pure handler.

- ``down(True)``: a connection-level outage. The server reads the request line and headers,
  then closes the connection without answering; clients see "connection reset / remote end
  closed" (requests: ``ConnectionError``; httpx: ``RemoteProtocolError``; Node: ``fetch
  failed``), which is what a dead or unreachable upstream looks like. ``down(True, mode="503")``
  instead answers ``503 Service Unavailable`` with a ``text/plain`` (non-JSON) body, like a
  load balancer in front of a dead service.
- ``latency(s)``: every API answer is delayed by ``s`` seconds (a real sleep, for timeouts).
- ``fail(path, status, body, times)``: answer ``status``/``body`` on a path (``fnmatch``
  pattern such as ``/auth/v1/*``), ``times`` times or forever; the API is not called.
- ``malformed_json(path, times)``: the API is called, its JSON answer is cut in half.
Admin paths (``/_emulator/...``) are never faulted or counted.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections import Counter
from dataclasses import dataclass

DOWN_MODES = ("drop", "503")


@dataclass
class FailRule:
    """One injected answer."""

    status: int
    body: bytes
    content_type: str
    times: int | None

    def take(self) -> bool:
        """Use the rule once; ``False`` when it is spent."""
        if self.times is None:
            return True
        if self.times <= 0:
            return False
        self.times -= 1
        return True


class Faults:
    """Thread-safe fault switches (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self.down_mode: str | None = None
            self.delay = 0.0
            self._fail: dict[str, FailRule] = {}
            self._malformed: dict[str, FailRule] = {}

    def down(self, on: bool = True, mode: str = "drop") -> None:
        """Start (``on``) or end an outage; ``mode`` is ``"drop"`` or ``"503"``."""
        if mode not in DOWN_MODES:
            raise ValueError(f"mode must be one of {DOWN_MODES}")
        with self._lock:
            self.down_mode = mode if on else None

    def latency(self, seconds: float) -> None:
        """Delay every API answer by ``seconds`` (``0`` turns it off)."""
        self.delay = max(0.0, float(seconds))

    def fail(
        self,
        path: str,
        status: int = 503,
        body: bytes | str = b"Service Unavailable",
        times: int | None = None,
        content_type: str = "text/plain; charset=utf-8",
    ) -> None:
        """Answer ``status``/``body`` on ``path`` (a ``fnmatch`` pattern), ``times`` times."""
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._fail[path] = FailRule(status, data, content_type, times)

    def malformed_json(self, path: str, times: int | None = None) -> None:
        """Cut the JSON answers on ``path`` in half (not parseable), ``times`` times."""
        with self._lock:
            self._malformed[path] = FailRule(200, b"", "", times)

    def dropping(self) -> bool:
        return self.down_mode == "drop"

    def answering_503(self) -> bool:
        return self.down_mode == "503"

    def wait(self) -> None:
        if self.delay:
            time.sleep(self.delay)

    def failure_for(self, path: str) -> FailRule | None:
        """The injected answer for ``path``, if a live rule matches (uses it once)."""
        return self._take(self._fail, path)

    def malformed_for(self, path: str) -> bool:
        return self._take(self._malformed, path) is not None

    def _take(self, rules: dict[str, FailRule], path: str) -> FailRule | None:
        with self._lock:
            for pattern, rule in rules.items():
                if fnmatch.fnmatchcase(path, pattern) and rule.take():
                    return rule
        return None


class Counters:
    """Requests per path: ``counters["/auth/v1/certs"]`` (unseen paths count 0)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def __getitem__(self, path: str) -> int:
        return self._counts[path]

    def __repr__(self) -> str:
        return f"Counters({dict(self._counts)!r})"

    def hit(self, path: str) -> None:
        with self._lock:
            self._counts[path] += 1

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def snapshot(self) -> dict[str, int]:
        """A copy of every count."""
        with self._lock:
            return dict(self._counts)

    def total(self) -> int:
        return sum(self.snapshot().values())
