"""The guard against the emulator over real HTTP on 127.0.0.1: single-flight, rotation, outages."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from cloudbase_auth_mw.core import errors
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard

CERTS = "/auth/v1/certs"
ME = "/auth/v1/user/me"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _guard(emulator: Emulator, clock: Clock | None = None, **overrides: object) -> CloudBaseGuard:
    config = CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url, **overrides)  # type: ignore[arg-type]
    return CloudBaseGuard(config, clock=clock or time.time)


def _tokens(emulator: Emulator, count: int) -> list[str]:
    return [emulator.mint_access_token(f"user-{i}") for i in range(count)]


def test_fifty_threads_on_a_cold_cache_fetch_keys_once(emulator: Emulator) -> None:
    guard = _guard(emulator)
    tokens = _tokens(emulator, 50)
    emulator.faults.latency(0.2)  # keep the first fetch in flight while the others arrive
    barrier = threading.Barrier(50)

    def validate(token: str) -> str:
        barrier.wait()
        return guard.authenticate(token).sub

    with ThreadPoolExecutor(max_workers=50) as pool:
        subs = list(pool.map(validate, tokens))
    assert subs == [f"user-{i}" for i in range(50)]
    assert emulator.counters[CERTS] == 1


async def test_fifty_coroutines_on_a_cold_cache_fetch_keys_once(emulator: Emulator) -> None:
    guard = _guard(emulator)
    tokens = _tokens(emulator, 50)
    emulator.faults.latency(0.2)
    identities = await asyncio.gather(*(guard.aauthenticate(t) for t in tokens))
    assert [i.sub for i in identities] == [f"user-{i}" for i in range(50)]
    assert emulator.counters[CERTS] == 1
    await guard.aclose()


def test_key_rotation_is_followed(emulator: Emulator) -> None:
    guard = _guard(emulator)
    assert guard.authenticate(emulator.mint_access_token("before")).sub == "before"
    emulator.rotate_keys()
    assert guard.authenticate(emulator.mint_access_token("after")).sub == "after"
    assert emulator.counters[CERTS] == 2


def test_outage_after_warm_up_serves_within_grace_then_503(emulator: Emulator) -> None:
    clock = Clock()
    guard = _guard(emulator, clock, jwks_cache_ttl=600, jwks_stale_grace=600)
    guard.authenticate(emulator.mint_access_token("warm"))
    emulator.faults.down(True)
    clock.now += 700  # keys stale, inside the grace period
    emulator.set_time(clock.now)
    assert guard.authenticate(emulator.mint_access_token("during")).sub == "during"
    clock.now += 600  # past the grace period
    emulator.set_time(clock.now)
    with pytest.raises(errors.ProviderUnavailable):
        guard.authenticate(emulator.mint_access_token("later"))


def test_cold_outage_is_503_never_401(emulator: Emulator) -> None:
    guard = _guard(emulator)
    emulator.faults.down(True)
    with pytest.raises(errors.ProviderUnavailable) as caught:
        guard.authenticate(emulator.mint_access_token("x"))
    assert caught.value.status == 503


def test_introspect_mode_sees_revocation(emulator: Emulator) -> None:
    user = emulator.add_user(username="carol", password="Passw0rd!")
    guard = _guard(emulator, verify_mode="introspect", introspection_cache_ttl=0)
    token = emulator.mint_access_token(user.sub)
    assert guard.authenticate(token).sub == user.sub
    emulator.revoke_token(token)
    with pytest.raises(errors.TokenInactive):
        guard.authenticate(token)


def test_jwks_plus_introspect_rechecks_remotely(emulator: Emulator) -> None:
    user = emulator.add_user(username="dave", password="Passw0rd!")
    clock = Clock()
    guard = _guard(
        emulator,
        clock,
        verify_mode="jwks+introspect",
        recheck_interval=10,  # the introspection cache (30 s by default) must not outlive it
    )
    token = emulator.mint_access_token(user.sub, issued_at=clock.now)
    assert guard.authenticate(token).sub == user.sub
    emulator.revoke_token(token)
    assert guard.authenticate(token).sub == user.sub  # within the re-check interval
    clock.now += 11
    with pytest.raises(errors.TokenInactive):
        guard.authenticate(token)


def test_profile_is_fetched_once_per_user(emulator: Emulator) -> None:
    user = emulator.add_user(username="erin", password="Passw0rd!", name="Erin")
    guard = _guard(emulator)
    token = emulator.mint_access_token(user.sub)
    identity = guard.authenticate(token)
    emulator.faults.latency(0.1)
    with ThreadPoolExecutor(max_workers=20) as pool:
        names = list(pool.map(lambda _: guard.fetch_profile(identity, token).name, range(20)))
    assert names == ["Erin"] * 20
    assert guard.fetch_profile(identity, token).sub == user.sub
    assert emulator.counters[ME] == 1


async def test_async_profile(emulator: Emulator) -> None:
    user = emulator.add_user(username="fay", password="Passw0rd!", name="Fay")
    guard = _guard(emulator)
    resolved = await guard.aresolve(
        authorization=[f"Bearer {emulator.mint_access_token(user.sub)}"]
    )
    assert resolved is not None
    assert (await resolved.aprofile()).name == "Fay"
    assert (await resolved.aprofile()).name == "Fay"
    assert emulator.counters[ME] == 1
    await guard.aclose()


def test_profile_of_revoked_token_is_401_and_outage_is_503(emulator: Emulator) -> None:
    user = emulator.add_user(username="gus", password="Passw0rd!")
    guard = _guard(emulator)
    token = emulator.mint_access_token(user.sub)
    identity = guard.authenticate(token)
    emulator.faults.down(True)
    with pytest.raises(errors.ProviderUnavailable):
        guard.fetch_profile(identity, token)
    emulator.faults.down(False)
    emulator.revoke_token(token)
    with pytest.raises(errors.TokenInactive):
        guard.fetch_profile(identity, token)


def test_authorize_groups_scopes_and_anonymous(emulator: Emulator) -> None:
    admin = emulator.add_user(username="root", password="Passw0rd!", groups=("admin",))
    guard = _guard(emulator, allow_anonymous=False)
    user = guard.resolve(
        authorization=[f"Bearer {emulator.mint_access_token(admin.sub, groups=('admin',))}"]
    )
    assert guard.authorize(user, groups=("admin",), scopes=("user",)) is user
    with pytest.raises(errors.InsufficientScope):
        guard.authorize(user, groups=("ops",))
    with pytest.raises(errors.InsufficientScope):
        guard.authorize(user, scopes=("superpower",))
    anonymous = guard.resolve(
        authorization=[f"Bearer {emulator.mint_access_token('anon', scope='anonymous')}"]
    )
    with pytest.raises(errors.InsufficientScope):
        guard.authorize(anonymous)
    assert guard.authorize(anonymous, allow_anonymous=True) is anonymous
    with pytest.raises(errors.MissingToken):
        guard.authorize(None)


def test_groups_fall_back_to_the_profile_without_a_claim(emulator: Emulator) -> None:
    admin = emulator.add_user(username="op", password="Passw0rd!", groups=("admin",))
    guard = _guard(emulator)
    token = emulator.mint_access_token(admin.sub, claims_overrides={"groups": None})
    user = guard.resolve(authorization=[f"Bearer {token}"])
    assert guard.authorize(user, groups=("admin",)) is user
    assert emulator.counters[ME] == 1


def test_tokens_never_reach_logs_or_errors(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    guard = _guard(emulator)
    token = emulator.mint_access_token("leak-check", lifetime=-100)
    with pytest.raises(errors.TokenExpired) as caught:
        guard.authenticate(token)
    emulator.faults.down(True)
    valid = emulator.mint_access_token("leak-check-2")
    fresh = valid.rsplit(".", 1)[0] + "." + token.rsplit(".", 1)[1]
    with pytest.raises(errors.InvalidSignature):
        guard.authenticate(fresh)  # keys are cached: the signature decides, no network
    rendered = guard.render_error(caught.value)
    for text in (
        caplog.text,
        str(caught.value),
        repr(caught.value),
        rendered.body.decode(),
        str(rendered.headers),
    ):
        assert token not in text and fresh not in text


def test_no_cross_user_mix_up_under_concurrency(emulator: Emulator) -> None:
    users = [
        emulator.add_user(username=f"user{i}", password="Passw0rd!", name=f"Name {i}")
        for i in range(8)
    ]
    guard = _guard(emulator)
    tokens = {u.sub: emulator.mint_access_token(u.sub) for u in users}
    emulator.faults.latency(0.05)

    def check(sub: str) -> tuple[str, str, str | None]:
        user = guard.resolve(authorization=[f"Bearer {tokens[sub]}"])
        assert user is not None
        return sub, user.sub, user.profile.name

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(check, [u.sub for u in users] * 4))
    names = {u.sub: f"Name {i}" for i, u in enumerate(users)}
    for asked, got, name in results:
        assert asked == got
        assert name == names[asked]
    assert emulator.counters[ME] == len(users)


def test_query_string_tokens_stay_out_of_emulator_logs(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    import requests

    caplog.set_level(logging.DEBUG)
    token = emulator.mint_access_token("query-user")
    response = requests.get(
        f"{emulator.api_base}/v1/token/introspect", params={"token": token}, timeout=5
    )
    assert response.status_code == 200
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("cloudbase_auth_mw")]
    assert ours, "the emulator logged the request"
    assert not [line for line in ours if token in line]  # (urllib3 logs URLs: not ours)
