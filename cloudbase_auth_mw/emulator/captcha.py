"""Captcha endpoints (reference §3.14) and the ``captcha_required`` injection.

Paths listed in ``Settings.captcha_paths`` (e.g. ``/v1/verification``) answer
``captcha_required`` unless the request carries a live captcha token, as ``?captcha_token=``
(what the SDK appends) or the ``x-captcha-token`` header (what the docs show). Each captcha
token is good for one request. Every image accepts ``Settings.captcha_answer``.
"""

from __future__ import annotations

import logging
from typing import Any

from .errors import ApiFailure
from .routing import Call, route

log = logging.getLogger("cloudbase_auth_mw.emulator")

#: A 1x1 transparent GIF, as a data URI: the "image" of every emulated captcha.
BLANK_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
CAPTCHA_DATA_LIFETIME = 300
CAPTCHA_TOKEN_LIFETIME = 600


def require_captcha(call: Call) -> None:
    """Raise ``captcha_required``/``captcha_invalid`` when this path demands a captcha."""
    if call.path not in call.state.settings.captcha_paths:
        return
    token = call.query.get("captcha_token") or call.headers.get("x-captcha-token")
    if not token:
        raise ApiFailure("captcha_required", "captcha required: solve /v1/captcha/data first")
    if call.state.take_grant(token, "captcha_token") is None:
        raise ApiFailure("captcha_invalid", "the captcha token is invalid or expired")


@route("POST", "/v1/captcha/data")
def captcha_data(call: Call) -> dict[str, Any]:
    """An image challenge: ``{data, type, token, expires_in}``."""
    token, _ = call.state.new_grant(
        "c", "captcha_data", CAPTCHA_DATA_LIFETIME, state=call.text("state") or ""
    )
    log.info("emulator captcha answer: %s", call.state.settings.captcha_answer)
    return {"data": BLANK_GIF, "type": "image", "token": token, "expires_in": CAPTCHA_DATA_LIFETIME}


@route("POST", "/v1/captcha/data/verify")
def captcha_verify(call: Call) -> dict[str, Any]:
    """``{token, key}`` -> ``{captcha_token: "v1.…", expires_in: 600}``."""
    grant = call.state.take_grant(call.require("token"), "captcha_data", consume=False)
    if grant is None:
        raise ApiFailure("captcha_invalid", "the captcha is invalid or expired")
    if call.text("key") != call.state.settings.captcha_answer:
        raise ApiFailure("captcha_invalid", "wrong captcha answer")
    grant.used = True
    token, _ = call.state.new_grant("v1", "captcha_token", CAPTCHA_TOKEN_LIFETIME)
    return {"captcha_token": token, "expires_in": CAPTCHA_TOKEN_LIFETIME}
