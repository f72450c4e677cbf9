"""Checklist §11 items 4-7: RS256 tokens, JWKS, /token grants, introspection, revocation."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from emu_support import Api, assert_error, assert_success

from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.emulator.jose import b64url_decode


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    head, body, _ = token.split(".")
    return json.loads(b64url_decode(head)), json.loads(b64url_decode(body))


def verify_with_jwks(token: str, jwks: dict[str, Any]) -> bool:
    """An independent RS256 check against the published JWK (n, e)."""
    header, _ = parts(token)
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    key = rsa.RSAPublicNumbers(e, n).public_key()
    signing_input, _, sig = token.rpartition(".")
    key.verify(b64url_decode(sig), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return True


def refresh(api: Api, refresh_token: str) -> Any:
    return api.post(
        "/v1/token",
        {
            "client_id": "test-env",
            "client_secret": "",
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
        params={"client_id": "test-env"},
    )


# ---------------------------------------------------------------- JWT and JWKS (§5.1, §6)
def test_header_and_claims(api: Api, emulator: Emulator, alice: Any) -> None:
    body = api.signin("alice@example.com")
    header, claims = parts(body["access_token"])
    assert header == {"alg": "RS256", "kid": header["kid"]}  # no typ
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", header["kid"]
    )
    assert claims["iss"] == "http://test-env.ap-shanghai.tcb-api.tencentcloudapi.com"
    assert claims["sub"] == alice.sub and claims["aud"] == "test-env"
    assert claims["exp"] - claims["iat"] == 7200
    assert abs(claims["iat"] - time.time()) < 5
    assert claims["project_id"] == "test-env" and claims["scope"] == "user sso"
    assert claims["meta"] == {"wxOpenId": "", "wxUnionId": ""}
    assert claims["groups"] == ["user"] and claims["provider_type"] == "email"
    assert claims["user_type"] == "" and len(claims["at_hash"]) == 22
    assert "nonce" not in claims and "name" not in claims


def test_jwks_has_two_rsa_keys_and_verifies_tokens(
    api: Api, emulator: Emulator, alice: Any
) -> None:
    jwks = api.get("/v1/certs").body
    assert len(jwks["keys"]) == 2
    for key in jwks["keys"]:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["e"] == "AQAB"
        assert len(b64url_decode(key["n"])) == 256  # 2048-bit
    assert jwks == emulator.jwks
    assert verify_with_jwks(api.signin()["access_token"], jwks)
    assert verify_with_jwks(emulator.mint_access_token(alice.sub), jwks)


def test_public_key_pem_matches_signing_key(emulator: Emulator, alice: Any) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    key = load_pem_public_key(emulator.public_key_pem().encode())
    assert isinstance(key, rsa.RSAPublicKey)
    token = emulator.mint_access_token(alice.sub)
    signing_input, _, sig = token.rpartition(".")
    key.verify(b64url_decode(sig), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())


def test_rotation_keeps_or_drops_old_keys(api: Api, emulator: Emulator, alice: Any) -> None:
    old = emulator.mint_access_token(alice.sub)
    kid = emulator.rotate_keys()
    assert (
        emulator.signing_kid == kid
        and parts(emulator.mint_access_token(alice.sub))[0]["kid"] == kid
    )
    kids = [k["kid"] for k in api.get("/v1/certs").body["keys"]]
    assert kids[0] == kid and len(kids) == 3
    assert api.get("/v1/token/introspect", token=old).body["sub"] == alice.sub
    emulator.rotate_keys(keep_old=False)
    assert len(api.get("/v1/certs").body["keys"]) == 1
    assert api.get("/v1/token/introspect", token=old).body == {}
    emulator.reset()
    assert len(emulator.jwks["keys"]) == 2


@pytest.mark.parametrize("issuer", ["gateway", "https://issuer.example.com"])
def test_configurable_issuer_and_lifetime(emulator_factory: Any, issuer: str) -> None:
    emu = emulator_factory(env_id="my-env", issuer=issuer, token_lifetime=45)
    emu.add_user(username="alice", password="Passw0rd!")
    body = Api(emu).signin()
    _, claims = parts(body["access_token"])
    expected = "https://my-env.api.tcloudbasegateway.com" if issuer == "gateway" else issuer
    assert claims["iss"] == expected and claims["aud"] == "my-env"
    assert claims["project_id"] == "my-env"
    assert body["expires_in"] == 45 and claims["exp"] - claims["iat"] == 45


def test_mint_options(emulator: Emulator, alice: Any) -> None:
    first = emulator.rotate_keys()
    emulator.rotate_keys()
    token = emulator.mint_access_token(
        alice.sub,
        scope="anonymous",
        groups=("a", "b"),
        lifetime=60,
        issued_at=1_700_000_000,
        kid=first,
        claims_overrides={"user_type": None, "extra": 1},
        header_overrides={"typ": "JWT"},
    )
    header, claims = parts(token)
    assert header == {"alg": "RS256", "kid": first, "typ": "JWT"}
    assert claims["iat"] == 1_700_000_000 and claims["exp"] == 1_700_000_060
    assert claims["groups"] == ["a", "b"] and claims["extra"] == 1 and "user_type" not in claims
    assert claims["scope"] == "anonymous" and claims["name"] == "Anonymous"


# ---------------------------------------------------------------- /token (§3.6)
def test_refresh_rotates_and_old_token_is_invalid_grant(api: Api, alice: Any) -> None:
    first = api.signin()
    second = refresh(api, first["refresh_token"])
    assert second.status == 200
    assert_success(second.body)
    assert second.body["refresh_token"] != first["refresh_token"]
    assert second.body["sub"] == alice.sub
    assert_error(refresh(api, first["refresh_token"]), "invalid_grant", 3, 400)
    assert refresh(api, second.body["refresh_token"]).status == 200


def test_refresh_of_anonymous_keeps_scope(api: Api) -> None:
    anon = api.post("/v1/signin/anonymously").body
    again = refresh(api, anon["refresh_token"]).body
    assert again["scope"] == "anonymous" and again["sub"] == anon["sub"]


def test_refresh_expiry_uses_emulator_clock(emulator_factory: Any) -> None:
    emu = emulator_factory(refresh_lifetime=100)
    emu.add_user(username="alice", password="Passw0rd!")
    api = Api(emu)
    tokens = api.signin()
    emu.advance(101)
    assert refresh(api, tokens["refresh_token"]).body["error"] == "invalid_grant"


@pytest.mark.parametrize("bad", ["", "m.nope", None])
def test_refresh_with_bad_token(api: Api, bad: str | None) -> None:
    answer = api.post("/v1/token", {"grant_type": "refresh_token", "refresh_token": bad})
    assert_error(answer, "invalid_grant", 3, 400)


def test_password_grant(api: Api, alice: Any) -> None:
    body = api.post(
        "/v1/token", {"grant_type": "password", "username": "alice", "password": "Passw0rd!"}
    ).body
    assert body["sub"] == alice.sub and body["refresh_token"]
    wrong = api.post("/v1/token", {"grant_type": "password", "username": "alice", "password": "x"})
    assert wrong.body["error"] == "invalid_password"


def test_client_credentials_has_no_refresh_token(api: Api) -> None:
    basic = base64.b64encode(b"AKIDexample:secret").decode()
    headers = {"authorization": f"Basic {basic}"}
    body = api.post("/v1/token", {"grant_type": "client_credentials"}, headers=headers).body
    assert_success(body)
    assert "refresh_token" not in body and body["access_token"] and body["sub"] == "AKIDexample"
    node = api.post(
        "/v1/token/clientCredential", {"grant_type": "client_credentials"}, headers=headers
    )
    assert node.status == 200 and "refresh_token" not in node.body
    no_basic = api.post("/v1/token", {"grant_type": "client_credentials"})
    assert no_basic.body["error"] == "invalid_client"


@pytest.mark.parametrize("grant", ["authorization_code", "device_code", None])
def test_unsupported_grant_type(api: Api, grant: str | None) -> None:
    assert_error(api.post("/v1/token", {"grant_type": grant}), "unsupported_grant_type", 3, 400)


# ---------------------------------------------------------------- introspect (§3.7)
def test_introspect_valid(api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    body = api.get("/v1/token/introspect", token=token, params={"client_id": "test-env"}).body
    assert body["token_type"] == "Bearer" and body["client_id"] == "test-env"
    assert body["sub"] == alice.sub and body["scope"] == "user sso"
    assert body["exp"] - body["iat"] == 7200
    assert_success(body)


def test_introspect_invalid_expired_revoked_is_200_empty(
    api: Api, emulator: Emulator, alice: Any
) -> None:
    token = api.signin()["access_token"]
    for bad in ("garbage", token[:-4] + "AAAA", ""):
        answer = api.get("/v1/token/introspect", token=bad or None)
        assert (answer.status, answer.body) == (200, {})
    emulator.advance(7201)
    assert api.get("/v1/token/introspect", token=token).body == {}
    emulator.set_time(None)
    assert api.get("/v1/token/introspect", token=token).body["sub"] == alice.sub
    emulator.revoke_token(token)
    answer = api.get("/v1/token/introspect", token=token)
    assert (answer.status, answer.body) == (200, {})


def test_introspect_rejects_other_issuer_or_project(
    emulator: Emulator, api: Api, alice: Any
) -> None:
    for overrides in ({"iss": "https://evil.example.com"}, {"project_id": "other"}, {"nbf": 4e9}):
        token = emulator.mint_access_token(alice.sub, claims_overrides=overrides)
        assert api.get("/v1/token/introspect", token=token).body == {}


def test_seed_introspect_forms(api: Api, alice: Any) -> None:
    token = api.signin()["access_token"]
    basic = base64.b64encode(b"test-env:secret").decode()
    seed = api.get(
        "/v1/token/introspect", params={"token": token}, headers={"authorization": f"Basic {basic}"}
    )
    assert seed.body["sub"] == alice.sub
    assert api.post("/v1/token/introspect", {"token": token}).body["sub"] == alice.sub


def test_frozen_clock_controls_iat(emulator: Emulator, api: Api, alice: Any) -> None:
    emulator.set_time(1_800_000_000)
    _, claims = parts(api.signin()["access_token"])
    assert claims["iat"] == 1_800_000_000
    emulator.advance(10)
    assert emulator.now() == 1_800_000_010


# ---------------------------------------------------------------- revoke (§3.8)
@pytest.mark.parametrize("how", ["body", "bearer", "both"])
def test_revoke_forms_end_the_whole_session(api: Api, alice: Any, how: str) -> None:
    first = api.signin()
    second = refresh(api, first["refresh_token"]).body
    other = api.signin()  # another session stays alive
    token = second["access_token"]
    body = {"token": token} if how in ("body", "both") else {}
    bearer = token if how in ("bearer", "both") else None
    answer = api.post("/v1/revoke", body, token=bearer, params={"client_id": "test-env"})
    assert (answer.status, answer.body) == (200, {})
    for dead in (first["access_token"], second["access_token"]):
        assert api.get("/v1/token/introspect", token=dead).body == {}
        assert_error(api.get("/v1/user/me", token=dead), "unauthenticated", 16, 401)
    assert refresh(api, second["refresh_token"]).body["error"] == "invalid_grant"
    assert api.get("/v1/user/me", token=other["access_token"]).status == 200


def test_revoke_by_refresh_token_and_unknown_tokens(api: Api, alice: Any) -> None:
    tokens = api.signin()
    assert api.post("/v1/revoke", {"token": tokens["refresh_token"]}).body == {}
    assert api.get("/v1/token/introspect", token=tokens["access_token"]).body == {}
    assert api.post("/v1/revoke", {"token": "unknown"}).body == {}
    assert api.post("/v1/revoke", {}).body["error"] == "invalid_argument"


def test_revoke_minted_token(emulator: Emulator, api: Api, alice: Any) -> None:
    token = emulator.mint_access_token(alice.sub)
    assert api.get("/v1/user/me", token=token).status == 200
    api.post("/v1/revoke", {"token": token})
    assert_error(api.get("/v1/user/me", token=token), "unauthenticated", 16, 401)


def test_user_signout_and_revoke_all(api: Api, alice: Any) -> None:
    one, two = api.signin(), api.signin()
    answer = api.post(
        "/v1/user/signout", {"redirect_uri": "https://app/"}, token=one["access_token"]
    )
    assert answer.body == {"redirect_uri": "https://app/"}
    assert api.get("/v1/token/introspect", token=one["access_token"]).body == {}
    assert api.get("/v1/token/introspect", token=two["access_token"]).body["sub"] == alice.sub
    three = api.signin()
    assert api.call("DELETE", "/v1/user/revoke/all", token=three["access_token"]).body == {}
    for tokens in (two, three):
        assert api.get("/v1/token/introspect", token=tokens["access_token"]).body == {}
