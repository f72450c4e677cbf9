"""Core validation speed: a token seen before, and a token seen for the first time.

- hot: ``guard.authenticate`` of a cached token (expiry re-checked) vs a dict lookup keyed by
  the same fresh string (its hash not computed yet); target 2x.
- cold: ``guard.authenticate`` of never-seen tokens with the keys cached (strict parse, RS256
  verify, claims, cache insert) vs one bare ``cryptography`` RS256 verify; target 1.8x.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from benchmarks.common import BenchResult, interleaved
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.http import HttpResponse
from cloudbase_auth_mw.guard import CloudBaseGuard

ENV = "bench-env-5g9ac20u2a27da46"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _Signer:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = str(uuid.uuid4())
        numbers = self.key.public_key().public_numbers()
        n = numbers.n.to_bytes(256, "big")
        self.jwk = {"kty": "RSA", "alg": "RS256", "kid": self.kid, "n": _b64(n), "e": "AQAB"}

    def token(self, sub: str, now: float) -> str:
        """A token shaped like CloudBase's (about 900 characters)."""
        claims: dict[str, Any] = {
            "iss": f"http://{ENV}.ap-shanghai.tcb-api.tencentcloudapi.com",
            "sub": sub,
            "aud": ENV,
            "exp": int(now) + 7200,
            "iat": int(now),
            "at_hash": _b64(uuid.uuid4().bytes),
            "scope": "user sso",
            "project_id": ENV,
            "meta": {"wxOpenId": "", "wxUnionId": ""},
            "provider_type": "email",
            "user_type": "",
            "groups": ["user"],
        }
        head = _b64(json.dumps({"alg": "RS256", "kid": self.kid}).encode())
        body = _b64(json.dumps(claims).encode())
        sig = self.key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{head}.{body}.{_b64(sig)}"


def _warm_guard(signer: _Signer) -> CloudBaseGuard:
    guard = CloudBaseGuard(CloudBaseAuthConfig(env_id=ENV, base_url="http://127.0.0.1:9"))
    flow = guard.authenticator.keys.key_for(signer.kid)
    next(flow)
    jwks = HttpResponse(200, {}, json.dumps({"keys": [signer.jwk]}).encode())
    with contextlib.suppress(StopIteration):
        flow.send(jwks)
    return guard


def _fresh_copies(token: str, count: int) -> list[str]:
    """Equal strings, distinct objects, hashes not computed yet."""
    return [token[:10] + token[10:] for _ in range(count)]


def run(quick: bool) -> list[BenchResult]:
    signer = _Signer()
    guard = _warm_guard(signer)
    now = time.time()
    results: list[BenchResult] = []

    hot_token = signer.token("1849755119840497664", now)
    guard.authenticate(hot_token)
    lookup: dict[str, object] = {hot_token: object()}
    batch = 2_000 if quick else 20_000
    pools: dict[str, list[str]] = {}

    def refill() -> None:
        pools["base"] = _fresh_copies(hot_token, batch)
        pools["cand"] = _fresh_copies(hot_token, batch)

    def dict_lookup() -> int:
        get = lookup.get
        for token in pools["base"]:
            get(token)
        return batch

    def cached_authenticate() -> int:
        authenticate = guard.authenticate
        for token in pools["cand"]:
            authenticate(token)
        return batch

    results.append(
        interleaved(
            f"token seen before ({len(hot_token)} chars)",
            "dict lookup, same fresh string",
            dict_lookup,
            cached_authenticate,
            target=2.0,
            rounds=9 if quick else 25,
            setup=refill,
        )
    )

    per_round = 40 if quick else 150
    rounds = 5 if quick else 11
    tokens = [signer.token(str(10**18 + i), now) for i in range(per_round * rounds * 2)]
    public_key = signer.key.public_key()
    parts = [t.rsplit(".", 1) for t in tokens]
    signed = [(p[0].encode(), base64.urlsafe_b64decode(p[1] + "==")) for p in parts]
    cursor = {"base": 0, "cand": len(tokens) // 2}
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()

    def bare_verify() -> int:
        start = cursor["base"]
        for data, sig in signed[start : start + per_round]:
            public_key.verify(sig, data, pkcs1, sha256)
        cursor["base"] = start + per_round
        return per_round

    def first_sight() -> int:
        start = cursor["cand"]
        authenticate = guard.authenticate
        for token in tokens[start : start + per_round]:
            authenticate(token)
        cursor["cand"] = start + per_round
        return per_round

    results.append(
        interleaved(
            "token seen for the first time, keys cached",
            "bare RS256 verify (cryptography)",
            bare_verify,
            first_sight,
            target=1.8,
            rounds=rounds,
        )
    )
    return results
