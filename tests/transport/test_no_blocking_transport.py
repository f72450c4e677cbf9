"""``nonblocking_guard`` (pytest plugin) and ``NoBlockingTransport``: a sync call fails the test."""

from __future__ import annotations

import pytest

from cloudbase_auth_mw.core.http import HttpRequest
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing import NoBlockingTransport


def test_send_fails_without_showing_headers() -> None:
    request = HttpRequest("GET", "https://example.test/certs", headers={"Authorization": "secret"})
    with pytest.raises(AssertionError, match="blocking I/O") as failure:
        NoBlockingTransport().send(request)
    assert "secret" not in str(failure.value)
    NoBlockingTransport().close()


async def test_nonblocking_guard_works_async_and_fails_sync(
    nonblocking_guard: CloudBaseGuard, emulator: Emulator
) -> None:
    sub = emulator.add_user(username="alice").sub
    token = emulator.mint_access_token(sub)
    try:
        with pytest.raises(AssertionError, match="blocking I/O on the async path"):
            nonblocking_guard.authenticate(token)  # the keys are fetched: a blocking call
        assert (await nonblocking_guard.aauthenticate(token)).sub == sub
    finally:
        await nonblocking_guard.aclose()
