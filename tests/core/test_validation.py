"""Every bad token gets its specific error, before any crypto or network where possible."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest

from cloudbase_auth_mw.core import errors
from cloudbase_auth_mw.core.authenticator import Authenticator
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.http import HttpRequest, HttpResponse

from .conftest import ENV, Clock, Signer, b64, drive, json_response


def _hs256_with_public_key(signer: Signer, now: float) -> str:
    head = b64(json.dumps({"alg": "HS256", "kid": signer.kid}).encode())
    body = b64(json.dumps({"sub": "x", "exp": now + 60}).encode())
    mac = hmac.new(signer.public_pem.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def _alg_none(signer: Signer, now: float) -> str:
    head = b64(json.dumps({"alg": "none"}).encode())
    return f"{head}.{b64(json.dumps({'sub': 'x', 'exp': now + 60}).encode())}."


def _tampered(signer: Signer, now: float) -> str:
    head, _, sig = signer.token(now).split(".")
    forged = signer.token(now, sub="someone-else").split(".")[1]
    return f"{head}.{forged}.{sig}"


Case = Callable[[Signer, Signer, float], str]
CASES: list[tuple[str, Case, type[errors.InvalidToken]]] = [
    (
        "forged signature",
        lambda s, o, now: o.sign(
            json.loads(base64.urlsafe_b64decode(s.token(now).split(".")[1] + "==")),
            {"alg": "RS256", "kid": s.kid},
        ),
        errors.InvalidSignature,
    ),
    ("tampered payload", lambda s, o, now: _tampered(s, now), errors.InvalidSignature),
    ("expired", lambda s, o, now: s.token(now - 8000), errors.TokenExpired),
    ("not yet valid", lambda s, o, now: s.token(now, nbf=int(now) + 600), errors.TokenNotYetValid),
    ("issued in the future", lambda s, o, now: s.token(now + 600), errors.TokenIssuedInFuture),
    (
        "wrong issuer",
        lambda s, o, now: s.token(now, iss="https://evil.example"),
        errors.InvalidIssuer,
    ),
    ("wrong audience", lambda s, o, now: s.token(now, aud="other-client"), errors.InvalidAudience),
    ("other env", lambda s, o, now: s.token(now, project_id="other-env"), errors.WrongEnvironment),
    ("no exp", lambda s, o, now: s.token(now, exp=None), errors.InvalidClaims),
    ("boolean exp", lambda s, o, now: s.token(now, exp=True), errors.InvalidClaims),
    ("no sub", lambda s, o, now: s.token(now, sub=None), errors.InvalidClaims),
    ("unknown kid", lambda s, o, now: o.token(now), errors.UnknownKeyId),
    ("alg none", lambda s, o, now: _alg_none(s, now), errors.UnsupportedAlgorithm),
    (
        "HS256 with the public key",
        lambda s, o, now: _hs256_with_public_key(s, now),
        errors.UnsupportedAlgorithm,
    ),
    (
        "crit header",
        lambda s, o, now: s.sign({"sub": "x"}, {"alg": "RS256", "kid": s.kid, "crit": ["b64"]}),
        errors.UnsupportedAlgorithm,
    ),
    ("oversize", lambda s, o, now: s.token(now, pad="x" * 9000), errors.TokenTooLarge),
    ("garbage", lambda s, o, now: "not-a-token", errors.MalformedToken),
    ("two segments", lambda s, o, now: "abc.def", errors.MalformedToken),
    ("bad base64", lambda s, o, now: "ab!c.def.ghi", errors.MalformedToken),
    (
        "plus in segment",
        lambda s, o, now: s.token(now).replace(".", "+.", 1),
        errors.MalformedToken,
    ),
    (
        "header not JSON",
        lambda s, o, now: f"{b64(b'nope')}.{b64(b'{}')}.{b64(b'x')}",
        errors.MalformedToken,
    ),
    (
        "header a list",
        lambda s, o, now: f"{b64(b'[1]')}.{b64(b'{}')}.{b64(b'x')}",
        errors.MalformedToken,
    ),
    (
        "payload not JSON",
        lambda s, o, now: s.sign({}).split(".")[0] + "." + b64(b"\xff") + ".AAAA",
        errors.MalformedToken,
    ),
    ("non-ascii", lambda s, o, now: "é.é.é", errors.MalformedToken),
]


def _jwks_server(signer: Signer) -> Callable[[HttpRequest], HttpResponse]:
    return lambda request: json_response({"keys": [signer.jwk]})


@pytest.mark.parametrize(("name", "make", "error"), CASES, ids=[c[0] for c in CASES])
def test_bad_token_gets_its_error(
    name: str,
    make: Case,
    error: type[errors.InvalidToken],
    signer: Signer,
    other_signer: Signer,
    config: CloudBaseAuthConfig,
    clock: Clock,
) -> None:
    authenticator = Authenticator(config, clock=clock)
    token = make(signer, other_signer, clock.now)
    with pytest.raises(error) as caught:
        drive(authenticator.authenticate(token), _jwks_server(signer))
    assert caught.value.status == 401
    assert token not in str(caught.value)
    assert authenticator.cached(token) is None


def test_valid_token_identity_and_cache(
    signer: Signer, config: CloudBaseAuthConfig, clock: Clock
) -> None:
    authenticator = Authenticator(config, clock=clock)
    token = signer.token(clock.now, groups=["user", "admin"])
    identity = drive(authenticator.authenticate(token), _jwks_server(signer))
    assert identity.sub == "1849755119840497664"
    assert identity.scopes == {"user", "sso"}
    assert identity.groups == ("user", "admin")
    assert not identity.is_anonymous
    assert authenticator.cached(token) == identity
    clock.advance(7200 + config.leeway + 1)
    assert authenticator.cached(token) is None, "the cache must re-check expiry"


def test_anonymous_users_are_recognised(
    signer: Signer, config: CloudBaseAuthConfig, clock: Clock
) -> None:
    authenticator = Authenticator(config, clock=clock)
    token = signer.token(clock.now, scope="anonymous", sub="7ft9WRremXrz-TfgoAR9Uw")
    identity = drive(authenticator.authenticate(token), _jwks_server(signer))
    assert identity.is_anonymous


def test_leeway_is_honoured(signer: Signer, clock: Clock) -> None:
    config = CloudBaseAuthConfig(env_id=ENV, base_url="http://127.0.0.1:9", leeway=60)
    authenticator = Authenticator(config, clock=clock)
    token = signer.token(clock.now - 7200 - 30)  # expired 30 s ago, inside 60 s of leeway
    assert drive(authenticator.authenticate(token), _jwks_server(signer)).sub


def test_static_key_mode_needs_no_network(signer: Signer, clock: Clock) -> None:
    config = CloudBaseAuthConfig(env_id=ENV, verify_mode="static", public_key=signer.public_pem)
    authenticator = Authenticator(config, clock=clock)
    token = signer.token(clock.now)
    assert authenticator.verify_offline(token) is not None


def test_offline_path_needs_cached_keys(
    signer: Signer, config: CloudBaseAuthConfig, clock: Clock
) -> None:
    authenticator = Authenticator(config, clock=clock)
    token = signer.token(clock.now)
    assert authenticator.verify_offline(token) is None  # keys not fetched yet
    drive(authenticator.authenticate(token), _jwks_server(signer))
    other = signer.token(clock.now, sub="2")
    assert authenticator.verify_offline(other) is not None


def test_identity_repr_hides_claims(
    signer: Signer, config: CloudBaseAuthConfig, clock: Clock
) -> None:
    authenticator = Authenticator(config, clock=clock)
    token = signer.token(clock.now)
    identity = drive(authenticator.authenticate(token), _jwks_server(signer))
    assert token not in repr(identity)
    assert "at_hash" not in repr(identity)


def _introspect_server(
    answers: dict[str, Any], log: list[HttpRequest]
) -> Callable[[HttpRequest], HttpResponse]:
    def serve(request: HttpRequest) -> HttpResponse:
        log.append(request)
        token = request.headers["authorization"].removeprefix("Bearer ")
        return json_response(answers.get(token, {}))

    return serve


def test_introspection_mode(signer: Signer, clock: Clock) -> None:
    config = CloudBaseAuthConfig(
        env_id=ENV, base_url="http://127.0.0.1:9", verify_mode="introspect"
    )
    authenticator = Authenticator(config, clock=clock)
    good = signer.token(clock.now)
    log: list[HttpRequest] = []
    server = _introspect_server(
        {good: {"token_type": "Bearer", "client_id": ENV, "sub": "u1", "scope": "user"}}, log
    )
    identity = drive(authenticator.authenticate(good), server)
    assert identity.sub == "u1" and identity.groups == ("user",)  # groups from the vouched payload
    assert log[0].url.endswith("/auth/v1/token/introspect")
    assert log[0].headers["authorization"] == f"Bearer {good}"
    with pytest.raises(errors.TokenInactive):
        drive(authenticator.authenticate("opaque-revoked"), server)
    with pytest.raises(errors.TokenInactive):  # inactive verdict is cached briefly
        drive(authenticator.authenticate("opaque-revoked"), server)
    assert len(log) == 2


def test_introspection_wrong_client_is_refused(clock: Clock) -> None:
    config = CloudBaseAuthConfig(
        env_id=ENV, base_url="http://127.0.0.1:9", verify_mode="introspect"
    )
    authenticator = Authenticator(config, clock=clock)
    server = _introspect_server({"t": {"client_id": "other", "sub": "u1", "scope": "user"}}, [])
    with pytest.raises(errors.InvalidAudience):
        drive(authenticator.authenticate("t"), server)


def test_introspection_outage_is_503(clock: Clock) -> None:
    config = CloudBaseAuthConfig(
        env_id=ENV, base_url="http://127.0.0.1:9", verify_mode="introspect"
    )
    authenticator = Authenticator(config, clock=clock)
    with pytest.raises(errors.ProviderUnavailable):
        drive(
            authenticator.authenticate("t"),
            lambda r: HttpResponse(502, {}, b"<html>bad gateway</html>"),
        )


def test_key_hints_in_the_header_are_never_followed(
    signer: Signer, other_signer: Signer, config: CloudBaseAuthConfig, clock: Clock
) -> None:
    """``jku``/``x5u``/``jwk`` cannot bring a key: only the configured key set is asked."""
    authenticator = Authenticator(config, clock=clock)
    claims = json.loads(base64.urlsafe_b64decode(signer.token(clock.now).split(".")[1] + "=="))
    header = {
        "alg": "RS256",
        "kid": other_signer.kid,
        "jku": "https://attacker.example/jwks.json",
        "x5u": "https://attacker.example/cert.pem",
        "jwk": other_signer.jwk,
    }
    log: list[HttpRequest] = []
    with pytest.raises(errors.UnknownKeyId):
        drive(
            authenticator.authenticate(other_signer.sign(claims, header)), _jwks_server(signer), log
        )
    assert [r.url for r in log] == ["http://127.0.0.1:9/auth/v1/certs"]


@pytest.mark.parametrize("loads", ["stdlib", "default"])
@pytest.mark.parametrize(
    "payload",
    [b'{"exp": NaN}', b'{"exp": Infinity}', b'{"a": 1} x', b"", b"  ", b'"text"', b"\xff"],
)
def test_payload_json_is_strict(
    loads: str, payload: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cloudbase_auth_mw.core import jws

    if loads == "stdlib":
        monkeypatch.setattr(jws, "_loads", jws._stdlib_loads)
    with pytest.raises(errors.MalformedToken):
        jws._json_object(payload)


def test_stdlib_json_reads_claims() -> None:
    from cloudbase_auth_mw.core import jws

    assert jws._stdlib_loads(b' {"a": 1}\n') == {"a": 1}  # JSON whitespace is allowed
    assert jws._stdlib_loads(b'{"sub": "x", "exp": 1.5, "groups": ["a"]}') == {
        "sub": "x",
        "exp": 1.5,
        "groups": ["a"],
    }


def test_non_finite_times_are_refused(config: CloudBaseAuthConfig, clock: Clock) -> None:
    from cloudbase_auth_mw.core.claims import check_claims

    with pytest.raises(errors.InvalidClaims):
        check_claims({"exp": float("nan"), "iss": "x"}, config, clock.now)
