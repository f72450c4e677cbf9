"""Registered-claim checks: exp, nbf, iat (with bounded leeway), iss, aud, sub, project_id."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .config import CloudBaseAuthConfig
from .errors import (
    InvalidAudience,
    InvalidClaims,
    InvalidIssuer,
    TokenExpired,
    TokenIssuedInFuture,
    TokenNotYetValid,
    WrongEnvironment,
)


def _number(claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidClaims(f"The access token has no valid {name!r} claim.")
    return float(value)


def _audiences(claims: Mapping[str, Any]) -> set[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return {aud}
    if isinstance(aud, list):
        return {a for a in aud if isinstance(a, str)}
    return set()


def check_claims(claims: Mapping[str, Any], config: CloudBaseAuthConfig, now: float) -> float:
    """Raise the specific :class:`InvalidToken` for the first failed check; return ``exp``."""
    leeway = config.leeway
    exp = _number(claims, "exp", required=True)
    assert exp is not None
    if now > exp + leeway:
        raise TokenExpired()
    nbf = _number(claims, "nbf", required=False)
    if nbf is not None and now + leeway < nbf:
        raise TokenNotYetValid()
    iat = _number(claims, "iat", required=False)
    if iat is not None and iat > now + leeway:
        raise TokenIssuedInFuture()
    if claims.get("iss") not in config.effective_issuers:
        raise InvalidIssuer()
    if not _audiences(claims) & config.effective_audiences:
        raise InvalidAudience()
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise InvalidClaims("The access token has no subject.")
    project = claims.get("project_id")
    if config.check_project_id and project is not None and project != config.env_id:
        raise WrongEnvironment()
    return exp
