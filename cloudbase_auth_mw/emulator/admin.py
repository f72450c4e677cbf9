"""The admin HTTP API under ``/_emulator/``: control an emulator started from the CLI.

=======  ==========================  ==================================================
method   path                        effect / answer
=======  ==========================  ==================================================
GET      /_emulator/health           ``{ok, env_id, issuer, api_path, now}``
POST     /_emulator/reset            clear users, tokens, faults, counters -> ``{}``
GET      /_emulator/users            ``{users: [profile, ...]}``
POST     /_emulator/users            ``{username, password, email, phone_number, name, groups, sub,
                                     status}`` -> the new user's profile
POST     /_emulator/tokens           ``{sub}`` -> a token response for a new session
POST     /_emulator/mint             ``{sub, scope, groups, lifetime, issued_at, kid, audience,
                                     claims_overrides, header_overrides}`` -> ``{access_token}``
POST     /_emulator/revoke           ``{token}`` -> ``{}``
POST     /_emulator/rotate-keys      ``{keep_old: true}`` -> ``{kid, jwks}``
GET      /_emulator/counters         ``{path: count}``;  DELETE resets them
POST     /_emulator/faults           any of ``{down, down_mode, latency, fail: {path, status, body,
                                     times}, malformed_json: {path, times}, clear}``; DELETE clears
GET      /_emulator/time             ``{now}``;  POST ``{set: t|null}`` or ``{advance: s}``
POST     /_emulator/settings         any of ``token_lifetime, refresh_lifetime, verification_code,
                                     anonymous_enabled, captcha_paths, captcha_answer,
                                     password_policy, issuer`` -> the settings
=======  ==========================  ==================================================

Errors use the Auth v2 error body. The admin API is never faulted, counted or authenticated:
the emulator binds to 127.0.0.1 by default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .errors import ApiFailure, invalid_argument
from .handler import Result, json_bytes, parse_body, parse_query
from .routes_user import profile

if TYPE_CHECKING:
    from .emulator import Emulator

SETTABLE = (
    "token_lifetime",
    "refresh_lifetime",
    "verification_code",
    "anonymous_enabled",
    "captcha_answer",
    "password_policy",
    "issuer",
)


class AdminApi:
    """Dispatch ``/_emulator/...`` requests to an :class:`Emulator`."""

    def __init__(self, emulator: Emulator) -> None:
        self.emu = emulator
        self.routes: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
            ("GET", "/health"): self.health,
            ("POST", "/reset"): _done(self.emu.reset),
            ("GET", "/users"): self.list_users,
            ("POST", "/users"): self.add_user,
            ("POST", "/tokens"): lambda b: self.emu.issue_tokens(_text(b, "sub")),
            ("POST", "/mint"): self.mint,
            ("POST", "/revoke"): self.revoke,
            ("POST", "/rotate-keys"): self.rotate,
            ("GET", "/counters"): lambda _: self.emu.counters.snapshot(),
            ("DELETE", "/counters"): _done(self.emu.reset_counters),
            ("POST", "/faults"): self.faults,
            ("DELETE", "/faults"): _done(self.emu.faults.clear),
            ("GET", "/time"): lambda _: {"now": self.emu.now()},
            ("POST", "/time"): self.time,
            ("GET", "/settings"): lambda _: self.settings_body(),
            ("POST", "/settings"): self.update_settings,
        }

    def handle(self, method: str, path: str, query: str, body: bytes) -> Result:
        """Answer one admin request (``path`` below ``/_emulator``)."""
        headers = [("content-type", "application/json; charset=utf-8")]
        try:
            func = self.routes.get((method.upper(), path.rstrip("/") or "/"))
            if func is None:
                raise ApiFailure("not_found", f"no admin endpoint {method} {path}")
            data = parse_body(body) or parse_query(query)
            with self.emu.state.lock:
                answer = func(data)
            return 200, headers, json_bytes(answer)
        except ApiFailure as failure:
            return failure.status, headers, json_bytes(failure.body())
        except (KeyError, TypeError, ValueError) as exc:
            bad = invalid_argument(f"bad admin request: {type(exc).__name__}: {exc}")
            return bad.status, headers, json_bytes(bad.body())

    def health(self, _: dict[str, Any]) -> dict[str, Any]:
        s = self.emu.settings
        return {
            "ok": True,
            "env_id": s.env_id,
            "issuer": s.issuer,
            "api_path": s.api_path,
            "now": self.emu.now(),
        }

    def list_users(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"users": [profile(user) for user in self.emu.users]}

    def add_user(self, body: dict[str, Any]) -> dict[str, Any]:
        fields = ("username", "password", "email", "phone_number", "name", "sub", "status")
        kwargs: dict[str, Any] = {k: body[k] for k in fields if body.get(k) is not None}
        if "groups" in body:
            kwargs["groups"] = tuple(body["groups"])
        return profile(self.emu.add_user(**kwargs))

    def revoke(self, body: dict[str, Any]) -> dict[str, Any]:
        self.emu.revoke_token(_text(body, "token"))
        return {}

    def mint(self, body: dict[str, Any]) -> dict[str, Any]:
        options = (
            "scope",
            "groups",
            "lifetime",
            "issued_at",
            "kid",
            "audience",
            "claims_overrides",
            "header_overrides",
        )
        kwargs = {k: body[k] for k in options if k in body}
        return {"access_token": self.emu.mint_access_token(_text(body, "sub"), **kwargs)}

    def rotate(self, body: dict[str, Any]) -> dict[str, Any]:
        kid = self.emu.rotate_keys(keep_old=bool(body.get("keep_old", True)))
        return {"kid": kid, "jwks": self.emu.jwks}

    def faults(self, body: dict[str, Any]) -> dict[str, Any]:
        faults = self.emu.faults
        if body.get("clear"):
            faults.clear()
        if "down" in body:
            faults.down(bool(body["down"]), str(body.get("down_mode", "drop")))
        if "latency" in body:
            faults.latency(float(body["latency"]))
        if isinstance(body.get("fail"), dict):
            rule = body["fail"]
            faults.fail(
                _text(rule, "path"),
                int(rule.get("status", 503)),
                str(rule.get("body", "Service Unavailable")),
                rule.get("times"),
            )
        if isinstance(body.get("malformed_json"), dict):
            faults.malformed_json(
                _text(body["malformed_json"], "path"), body["malformed_json"].get("times")
            )
        return {"down_mode": faults.down_mode, "latency": faults.delay}

    def time(self, body: dict[str, Any]) -> dict[str, Any]:
        if "set" in body:
            self.emu.set_time(None if body["set"] is None else float(body["set"]))
        if "advance" in body:
            self.emu.advance(float(body["advance"]))
        return {"now": self.emu.now()}

    def settings_body(self) -> dict[str, Any]:
        data = asdict(self.emu.settings)
        data["captcha_paths"] = sorted(data["captcha_paths"])
        return data

    def update_settings(self, body: dict[str, Any]) -> dict[str, Any]:
        settings = self.emu.settings
        for name in SETTABLE:
            if name in body:
                setattr(settings, name, _coerce(type(getattr(settings, name)), body[name]))
        if "captcha_paths" in body:
            settings.captcha_paths = set(body["captcha_paths"])
        return self.settings_body()


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_argument(f"{name} is required")
    return value


def _coerce(kind: type, value: Any) -> Any:
    if kind is bool and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return kind(value)


def _done(action: Callable[[], None]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """An admin route that runs ``action`` and answers ``{}``."""

    def run(_: dict[str, Any]) -> dict[str, Any]:
        action()
        return {}

    return run
