"""The token forgers of cloudbase_auth_mw.testing, the pure handler and the WSGI app in-process."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from emu_support import Api

from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.emulator.jose import b64url_decode
from cloudbase_auth_mw.testing import BAD_TOKEN_CASES, forge, require_service, service_reachable
from cloudbase_auth_mw.testing.tokens import GARBAGE, tampered

#: Cases the emulator itself accepts (it issued them): the audience and the size limit are the
#: validator's business, not the issuer's.
ISSUER_VALID = {"wrong_audience", "oversize"}


@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
def test_every_bad_token_is_refused_by_the_emulator(
    case: str, emulator: Emulator, api: Api, alice: Any
) -> None:
    token = forge(emulator, case, alice.sub)
    assert isinstance(token, str) and token
    body = api.get("/v1/token/introspect", token=token).body
    if case in ISSUER_VALID:
        assert body["sub"] == alice.sub
    else:
        assert body == {}, case


def header_of(token: str) -> dict[str, Any]:
    return dict(json.loads(b64url_decode(token.split(".")[0])))


def test_forged_shapes(emulator: Emulator) -> None:
    sub = "1849755119840497664"
    assert header_of(forge(emulator, "alg_none", sub))["alg"] == "none"
    assert forge(emulator, "alg_none", sub).endswith(".")
    assert header_of(forge(emulator, "hs256_public_key", sub))["alg"] == "HS256"
    assert header_of(forge(emulator, "foreign_key", sub))["kid"] == emulator.signing_kid
    unknown = header_of(forge(emulator, "unknown_kid", sub))["kid"]
    assert unknown not in {k["kid"] for k in emulator.jwks["keys"]}
    assert len(forge(emulator, "oversize", sub)) > 16_000
    assert set(GARBAGE) <= set(BAD_TOKEN_CASES)
    good = emulator.mint_access_token(sub)
    changed = tampered(good, sub="x")
    assert changed.split(".")[2] == good.split(".")[2] and changed != good


def test_require_service(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    assert service_reachable("127.0.0.1", emulator.port)
    require_service("emulator", "127.0.0.1", emulator.port)  # reachable: returns
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        require_service("nothing", "127.0.0.1", port)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_service("nothing", "127.0.0.1", port)


# ---------------------------------------------------------------- no HTTP at all
def test_pure_handler_without_a_server() -> None:
    emu = Emulator()  # never started
    emu.add_user(username="alice", password="Passw0rd!")
    status, headers, body = emu.handle(
        "POST",
        "/auth/v1/signin",
        "client_id=test-env",
        {"Content-Type": "text/plain;charset=UTF-8", "X-Request-Id": "abc"},
        b'{"username":"alice","password":"Passw0rd!"}',
    )
    assert status == 200 and ("x-request-id", "abc") in headers
    token = json.loads(body)["access_token"]
    status, _, body = emu.handle(
        "GET", "/auth/v1/user/me", {}, {"Authorization": f"Bearer {token}"}
    )
    assert status == 200 and json.loads(body)["username"] == "alice"
    assert emu.handle("OPTIONS", "/auth/v1/signin")[0] == 204


def test_wsgi_app_in_process() -> None:
    emu = Emulator()
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured["status"], captured["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/auth/v1/signin/anonymously",
        "QUERY_STRING": "client_id=test-env",
        "CONTENT_LENGTH": "2",
        "CONTENT_TYPE": "text/plain",
        "HTTP_X_DEVICE_ID": "d" * 32,
        "wsgi.input": io.BytesIO(b"{}"),
    }
    body = b"".join(emu.wsgi_app(environ, start_response))
    assert captured["status"] == "200 OK"
    assert json.loads(body)["scope"] == "anonymous"
    assert emu.counters["/auth/v1/signin/anonymously"] == 1


def test_an_unexpected_failure_still_answers_the_error_shape(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    emu = Emulator()

    def broken() -> dict[str, Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(emu.state.keys, "jwks", broken)  # a fault, injected
    status, _, body = emu.handle("GET", "/auth/v1/certs")
    assert status == 500
    assert json.loads(body) == {
        "error": "internal",
        "error_code": 13,
        "error_description": "internal emulator error",
    }
    assert "boom" in caplog.text
