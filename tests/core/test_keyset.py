"""Key-set policy: TTL, kid-miss cooldown, unknown-kid memory, stale grace, failure backoff."""

from __future__ import annotations

import pytest

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.errors import ProviderUnavailable, UnknownKeyId
from cloudbase_auth_mw.core.http import HttpRequest, HttpResponse, TransportError
from cloudbase_auth_mw.core.keyset import KeySet, parse_jwks

from .conftest import Clock, Signer, drive, json_response


class Provider:
    """Plays the key-set endpoint; counts requests; can be taken down."""

    def __init__(self, *signers: Signer) -> None:
        self.signers = list(signers)
        self.requests = 0
        self.down = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests += 1
        if self.down:
            raise TransportError("connection refused")
        return json_response({"keys": [s.jwk for s in self.signers]})


@pytest.fixture
def keyset(config: CloudBaseAuthConfig, clock: Clock) -> KeySet:
    return KeySet(config, clock=clock)


def test_fetch_once_then_serve_from_cache(keyset: KeySet, signer: Signer, clock: Clock) -> None:
    provider = Provider(signer)
    log: list[HttpRequest] = []
    assert drive(keyset.key_for(signer.kid), provider, log) is not None
    assert log[0].url == "http://127.0.0.1:9/auth/v1/certs"
    assert log[0].coalesce_key is not None
    drive(keyset.key_for(signer.kid), provider)
    assert provider.requests == 1
    clock.advance(3601)
    drive(keyset.key_for(signer.kid), provider)
    assert provider.requests == 2


def test_unknown_kid_refresh_is_rate_limited(keyset: KeySet, signer: Signer, clock: Clock) -> None:
    provider = Provider(signer)
    drive(keyset.key_for(signer.kid), provider)
    for i in range(50):  # an attacker choosing kids
        with pytest.raises(UnknownKeyId):
            drive(keyset.key_for(f"attacker-{i}"), provider)
    assert provider.requests == 2, "one refresh per cooldown, however many kids"
    clock.advance(31)
    with pytest.raises(UnknownKeyId):
        drive(keyset.key_for("attacker-0"), provider)  # remembered as unknown
    assert provider.requests == 2
    with pytest.raises(UnknownKeyId):
        drive(keyset.key_for("attacker-new"), provider)
    assert provider.requests == 3


def test_rotation_is_picked_up_on_kid_miss(
    keyset: KeySet, signer: Signer, other_signer: Signer, clock: Clock
) -> None:
    provider = Provider(signer)
    drive(keyset.key_for(signer.kid), provider)
    provider.signers.append(other_signer)
    clock.advance(31)
    assert drive(keyset.key_for(other_signer.kid), provider) is not None
    assert provider.requests == 2


def test_stale_keys_serve_within_grace_then_503(
    keyset: KeySet, signer: Signer, clock: Clock
) -> None:
    provider = Provider(signer)
    drive(keyset.key_for(signer.kid), provider)
    provider.down = True
    clock.advance(3600 + 10)  # stale, inside the grace period
    assert drive(keyset.key_for(signer.kid), provider) is not None
    clock.advance(3600)  # past ttl + grace
    with pytest.raises(ProviderUnavailable):
        drive(keyset.key_for(signer.kid), provider)


def test_cold_outage_is_503_and_backs_off(keyset: KeySet, signer: Signer, clock: Clock) -> None:
    provider = Provider(signer)
    provider.down = True
    for _ in range(10):
        with pytest.raises(ProviderUnavailable):
            drive(keyset.key_for(signer.kid), provider)
    assert provider.requests == 1, "one fetch, then back off"
    provider.down = False
    clock.advance(6)
    assert drive(keyset.key_for(signer.kid), provider) is not None


def test_broken_answers_are_outages(keyset: KeySet, signer: Signer) -> None:
    for body in (
        b"<html>",
        b"[]",
        b'{"keys": "x"}',
        b'{"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]}',
    ):
        fresh = KeySet(
            CloudBaseAuthConfig(env_id="e", base_url="http://127.0.0.1:9"), clock=Clock()
        )
        with pytest.raises(ProviderUnavailable):
            drive(fresh.key_for(signer.kid), lambda r, body=body: HttpResponse(200, {}, body))


def test_small_and_encryption_keys_are_ignored(signer: Signer) -> None:
    small = Signer(bits=1024)
    enc = {**signer.jwk, "use": "enc"}
    body = json_response({"keys": [small.jwk, enc]}).body
    assert parse_jwks(body) == {}
