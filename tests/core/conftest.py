"""Core tests run with no network: flows are fed responses directly (h11 style)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.http import Flow, HttpRequest, HttpResponse, TransportError

ENV = "core-env"
ISSUER = f"http://{ENV}.ap-shanghai.tcb-api.tencentcloudapi.com"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """An RSA key with a UUID kid that signs tokens shaped like CloudBase's."""

    def __init__(self, bits: int = 2048) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        self.kid = str(uuid.uuid4())

    @property
    def public_pem(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    @property
    def jwk(self) -> dict[str, str]:
        numbers = self.key.public_key().public_numbers()

        def encode(value: int) -> str:
            return b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        return {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": encode(numbers.n),
            "e": encode(numbers.e),
        }

    def sign(self, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        head = b64(json.dumps(header or {"alg": "RS256", "kid": self.kid}).encode())
        body = b64(json.dumps(claims).encode())
        signature = self.key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{head}.{body}.{b64(signature)}"

    def token(self, now: float, **overrides: Any) -> str:
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": "1849755119840497664",
            "aud": ENV,
            "iat": int(now),
            "exp": int(now) + 7200,
            "scope": "user sso",
            "project_id": ENV,
            "groups": ["user"],
        }
        claims.update(overrides)
        return self.sign({k: v for k, v in claims.items() if v is not None})


class Clock:
    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


Server = Callable[[HttpRequest], HttpResponse]


def drive(flow: Flow[Any], server: Server, log: list[HttpRequest] | None = None) -> Any:
    """Run a flow against an in-process function playing the provider."""
    try:
        request = next(flow)
        while True:
            if log is not None:
                log.append(request)
            try:
                response = server(request)
            except TransportError as exc:
                request = flow.throw(exc)
            else:
                request = flow.send(response)
    except StopIteration as stop:
        return stop.value


def json_response(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())


@pytest.fixture(scope="session")
def signer() -> Signer:
    return Signer()


@pytest.fixture(scope="session")
def other_signer() -> Signer:
    return Signer()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def config() -> CloudBaseAuthConfig:
    return CloudBaseAuthConfig(env_id=ENV, base_url="http://127.0.0.1:9")
