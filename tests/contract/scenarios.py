"""The contract table (see ``harness``). ``run_scenario`` drives one row through one adapter;
``contract_test(make_client)`` is the test function playing every row through it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.testing import bearer
from cloudbase_auth_mw.testing import tokens as forge

from .harness import ClientFactory, ContractResponse, FakeClock, build_guard

REALM = 'Bearer realm="cloudbase"'
INVALID_TOKEN = REALM + ', error="invalid_token"*'
INSUFFICIENT_SCOPE = REALM + ', error="insufficient_scope"*'


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    status: int
    #: Expected ``WWW-Authenticate``: exact string, a prefix ending in ``*``, or ``None`` (absent).
    challenge: str | None
    #: Expected ``user`` in the JSON body (``"<sub>"`` means the signed-in user's sub).
    user: str | None
    overrides: dict[str, Any] = field(default_factory=dict)
    #: Builds request headers; may also act on the emulator / clock / a warm-up client.
    prepare: Callable[
        [Emulator, FakeClock, str, Callable[..., ContractResponse]], dict[str, str]
    ] = lambda emu, clock, sub, call: {}


def _user_token(emu: Emulator, clock: FakeClock, sub: str, call: Any) -> dict[str, str]:
    return bearer(emu.mint_access_token(sub, issued_at=clock.now))


def _anonymous(emu: Emulator, clock: FakeClock, sub: str, call: Any) -> dict[str, str]:
    return bearer(emu.mint_access_token(sub, scope="anonymous", issued_at=clock.now))


def _expired(emu: Emulator, clock: FakeClock, sub: str, call: Any) -> dict[str, str]:
    return bearer(emu.mint_access_token(sub, issued_at=clock.now - 10_000, lifetime=7200))


def _forged(emu: Emulator, clock: FakeClock, sub: str, call: Any) -> dict[str, str]:
    return bearer(forge.foreign_signed(emu, sub))


def _wrong_audience(emu: Emulator, clock: FakeClock, sub: str, call: Any) -> dict[str, str]:
    token = emu.mint_access_token(
        sub, issued_at=clock.now, claims_overrides={"aud": "other-client"}
    )
    return bearer(token)


def _unknown_kid(emu: Emulator, clock: FakeClock, sub: str, call: Any) -> dict[str, str]:
    token = emu.mint_access_token(
        sub, issued_at=clock.now, header_overrides={"kid": "00000000-0000-4000-8000-000000000000"}
    )
    return bearer(token)


def _revoked(emu: Emulator, clock: FakeClock, sub: str, call: Any) -> dict[str, str]:
    token = emu.mint_access_token(sub, issued_at=clock.now)
    emu.revoke_token(token)
    return bearer(token)


def _provider_down(emu: Emulator, clock: FakeClock, sub: str, call: Any) -> dict[str, str]:
    emu.faults.down(True)
    return _user_token(emu, clock, sub, call)


def _stale_keys(emu: Emulator, clock: FakeClock, sub: str, call: Any) -> dict[str, str]:
    warm = call("/private", _user_token(emu, clock, sub, call))
    assert warm.status == 200, warm
    emu.faults.down(True)
    clock.advance(3600 + 60)  # past jwks_cache_ttl, well inside jwks_stale_grace
    emu.set_time(clock.now)
    return _user_token(emu, clock, sub, call)


SCENARIOS = [
    Scenario("public route, no token", "/public", 200, None, None),
    Scenario("public route, valid user", "/public", 200, None, "<sub>", prepare=_user_token),
    # Credentials that are sent are always judged: "public" means none are needed, not that
    # bad ones pass unnoticed (RFC 6750 §3.1), and an outage is never served as "signed out".
    Scenario("public route, expired token", "/public", 401, INVALID_TOKEN, None, prepare=_expired),
    Scenario("public route, provider down", "/public", 503, None, None, prepare=_provider_down),
    Scenario("protected route, no token", "/private", 401, REALM, None),
    Scenario("valid user", "/private", 200, None, "<sub>", prepare=_user_token),
    Scenario(
        "anonymous CloudBase user allowed", "/private", 200, None, "<sub>", prepare=_anonymous
    ),
    Scenario(
        "anonymous CloudBase user refused",
        "/members",
        403,
        INSUFFICIENT_SCOPE,
        None,
        prepare=_anonymous,
    ),
    Scenario("expired", "/private", 401, INVALID_TOKEN, None, prepare=_expired),
    Scenario("forged", "/private", 401, INVALID_TOKEN, None, prepare=_forged),
    Scenario("wrong audience", "/private", 401, INVALID_TOKEN, None, prepare=_wrong_audience),
    Scenario("unknown kid", "/private", 401, INVALID_TOKEN, None, prepare=_unknown_kid),
    Scenario(
        "revoked (introspect mode)",
        "/private",
        401,
        INVALID_TOKEN,
        None,
        overrides={"verify_mode": "introspect"},
        prepare=_revoked,
    ),
    Scenario("missing group", "/admin", 403, INSUFFICIENT_SCOPE, None, prepare=_user_token),
    Scenario("provider down", "/private", 503, None, None, prepare=_provider_down),
    Scenario("keys stale within grace", "/private", 200, None, "<sub>", prepare=_stale_keys),
]


def _check_challenge(expected: str | None, got: str | None) -> None:
    if expected is None:
        assert got is None, f"unexpected WWW-Authenticate: {got}"
    elif expected.endswith("*"):
        assert got is not None and got.startswith(expected[:-1]), got
    else:
        assert got == expected, got


def run_scenario(scenario: Scenario, emulator: Emulator, factory: ClientFactory) -> None:
    """Build an app through ``factory``, play ``scenario`` and check the answer."""
    clock = FakeClock(time.time())
    emulator.set_time(clock.now)
    sub = emulator.add_user(username="contract-user", password="Passw0rd!", name="Contract").sub
    guard = build_guard(emulator, clock, **scenario.overrides)
    client = factory(guard)
    headers = scenario.prepare(emulator, clock, sub, client.get)
    response = client.get(scenario.path, headers)
    assert response.status == scenario.status, (response.status, response.json)
    _check_challenge(scenario.challenge, response.headers.get("www-authenticate"))
    if response.status == 503:
        assert response.headers.get("retry-after"), "503 without Retry-After"
    if response.status == 200:
        expected_user = sub if scenario.user == "<sub>" else scenario.user
        assert response.json["user"] == expected_user, response.json
    else:
        assert isinstance(response.json, dict) and response.json.get("error"), response.json


def contract_test(factory: ClientFactory) -> Callable[[Scenario, Emulator], None]:
    """A test playing every scenario through ``factory``: ``test_contract = contract_test(...)``."""

    @pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
    def test(scenario: Scenario, emulator: Emulator) -> None:
        run_scenario(scenario, emulator, factory)

    return test
