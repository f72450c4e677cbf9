"""Helpers for the emulator tests: a thin HTTP client (real requests over 127.0.0.1)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import requests

from cloudbase_auth_mw.emulator import Emulator

DEVICE = "e2ef69280ae6481f8ff7b26624299cd6"


@dataclass
class Answer:
    status: int
    body: Any
    headers: requests.structures.CaseInsensitiveDict[str]


class Api:
    """Calls ``{api_base}{path}`` like the JS SDK: ``text/plain`` JSON bodies, ``x-device-id``."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        device: str | None = DEVICE,
    ) -> Answer:
        sent = {"x-request-id": uuid.uuid4().hex, "content-type": "text/plain;charset=UTF-8"}
        if device:
            sent["x-device-id"] = device
        if token:
            sent["authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        data = None if body is None else json.dumps(body)
        r = self.session.request(
            method, self.emu.api_base + path, data=data, headers=sent, params=params, timeout=5
        )
        try:
            parsed = r.json()
        except ValueError:
            parsed = r.content
        return Answer(r.status_code, parsed, r.headers)

    def post(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.call("POST", path, {} if body is None else body, **kw)

    def get(self, path: str, **kw: Any) -> Answer:
        return self.call("GET", path, **kw)

    def signin(self, username: str = "alice", password: str = "Passw0rd!") -> dict[str, Any]:
        answer = self.post(
            "/v1/signin",
            {"username": username, "password": password},
            params={"client_id": self.emu.env_id},
        )
        assert answer.status == 200, answer.body
        return dict(answer.body)


def assert_error(answer: Answer, error: str, code: int, status: int) -> None:
    """The §7 error body, exactly."""
    assert answer.status == status, answer.body
    assert set(answer.body) == {"error", "error_code", "error_description"}, answer.body
    assert answer.body["error"] == error
    assert answer.body["error_code"] == code
    assert isinstance(answer.body["error_description"], str) and answer.body["error_description"]


def assert_success(body: Any) -> None:
    """What the JS SDK requires of a success body: no truthy top-level error/code/error_code."""
    assert isinstance(body, dict)
    for key in ("error", "code", "error_code"):
        assert not body.get(key), body
