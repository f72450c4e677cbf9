"""Checklist §11 items 1, 3 and 12: request conventions, CORS, request ids, routing errors."""

from __future__ import annotations

import base64
import json

import pytest
import requests
from emu_support import Api, assert_error, assert_success

from cloudbase_auth_mw.emulator import Emulator


def test_text_plain_body_is_parsed_as_json(api: Api, alice: object) -> None:
    answer = api.post(
        "/v1/signin",
        {"username": "alice", "password": "Passw0rd!"},
        headers={"content-type": "text/plain;charset=UTF-8"},
    )
    assert answer.status == 200
    assert_success(answer.body)


@pytest.mark.parametrize("content_type", ["application/json", "", "application/octet-stream"])
def test_any_content_type_is_json(api: Api, alice: object, content_type: str) -> None:
    answer = api.post(
        "/v1/signin",
        {"username": "alice", "password": "Passw0rd!"},
        headers={"content-type": content_type},
    )
    assert answer.status == 200, answer.body


def test_body_that_is_not_json_is_invalid_argument(emulator: Emulator) -> None:
    r = requests.post(emulator.api_base + "/v1/signin", data=b"{not json", timeout=5)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_argument"


def test_client_id_query_is_optional_and_sets_aud(api: Api, emulator: Emulator) -> None:
    without = api.post("/v1/signin/anonymously")
    other = api.post(
        "/v1/signin/anonymously", params={"client_id": "other-client"}, device="d" * 32
    )
    intro = api.get("/v1/token/introspect", token=without.body["access_token"])
    assert intro.body["client_id"] == emulator.env_id
    intro = api.get("/v1/token/introspect", token=other.body["access_token"])
    assert intro.body["client_id"] == "other-client"


def test_basic_client_auth_is_accepted_not_required(api: Api, alice: object) -> None:
    basic = base64.b64encode(b"test-env:").decode()
    body = {"username": "alice", "password": "Passw0rd!"}
    assert api.post("/v1/signin", body, headers={"authorization": f"Basic {basic}"}).status == 200
    assert api.post("/v1/signin", body).status == 200


def test_cors_preflight_allows_sdk_headers_and_methods(emulator: Emulator) -> None:
    r = requests.options(
        emulator.api_base + "/v1/user/me",
        headers={
            "origin": "http://localhost:5173",
            "access-control-request-method": "PATCH",
            "access-control-request-headers": "authorization,x-device-id,"
            "x-request-id,x-sdk-version",
        },
        timeout=5,
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "http://localhost:5173"
    allowed = r.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "x-device-id", "x-request-id", "x-sdk-version"):
        assert header in allowed
    for method in ("GET", "POST", "PATCH", "DELETE"):
        assert method in r.headers["access-control-allow-methods"]


def test_cors_headers_on_normal_answers(emulator: Emulator) -> None:
    r = requests.get(
        emulator.api_base + "/v1/certs", headers={"origin": "http://a.test"}, timeout=5
    )
    assert r.headers["access-control-allow-origin"] == "http://a.test"
    assert "x-request-id" in r.headers["access-control-expose-headers"]


def test_default_preflight_allow_list(emulator: Emulator) -> None:
    r = requests.options(emulator.api_base + "/v1/signin", timeout=5)
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "x-device-id" in r.headers["access-control-allow-headers"]


def test_request_id_is_echoed_or_created(api: Api, emulator: Emulator) -> None:
    answer = api.get("/v1/certs", headers={"x-request-id": "d7b52a0d948840a6a64a737c6283185c"})
    assert answer.headers["x-request-id"] == "d7b52a0d948840a6a64a737c6283185c"
    r = requests.get(emulator.api_base + "/v1/nope", timeout=5)
    assert len(r.headers["x-request-id"]) == 32


def test_token_in_url(api: Api, alice: object) -> None:
    token = api.signin()["access_token"]
    assert api.get("/v1/user/me", params={"access_token": token}).body["username"] == "alice"


def test_unknown_path_is_not_found(api: Api, emulator: Emulator) -> None:
    assert_error(api.get("/v1/does/not/exist"), "not_found", 5, 404)
    r = requests.get(emulator.base_url + "/elsewhere", timeout=5)
    assert r.status_code == 404 and r.json()["error_code"] == 5


def test_wrong_method_is_unimplemented_405(api: Api) -> None:
    assert_error(api.call("PUT", "/v1/signin", {}), "unimplemented", 12, 405)


def test_v2_endpoints_are_stubbed_501(api: Api) -> None:
    assert_error(api.post("/v2/signin/username", {"params": "x"}), "unimplemented", 12, 501)
    assert_error(api.get("/v2/user/me"), "unimplemented", 12, 501)


def test_json_body_must_be_an_object(api: Api) -> None:
    answer = api.call("POST", "/v1/signin", ["username"])
    assert_error(answer, "invalid_argument", 3, 400)


def test_answers_are_compact_utf8_json(emulator: Emulator) -> None:
    r = requests.get(emulator.api_base + "/v1/certs", timeout=5)
    assert r.headers["content-type"].startswith("application/json")
    assert json.loads(r.content.decode("utf-8"))["keys"]


def test_configurable_api_path(emulator_factory: object) -> None:
    emu = emulator_factory(api_path="/custom")  # type: ignore[operator]
    assert requests.get(emu.base_url + "/custom/v1/certs", timeout=5).status_code == 200
    assert requests.get(emu.base_url + "/auth/v1/certs", timeout=5).status_code == 404
