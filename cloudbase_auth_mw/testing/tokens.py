"""Forged and broken access tokens for the "bad token" table every adapter test runs.

``forge(emu, case, sub)`` builds the token of one case named in :data:`BAD_TOKEN_CASES`
(parametrize on the names: they exist at collection time, the emulator does not).
Every case must be rejected by a correct validator; most are well-formed enough to reach the
signature or claim checks, so each exercises a different rule.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from ..emulator import Emulator
from ..emulator.jose import SigningKey, b64url_decode, b64url_encode, json_segment, sign_jwt


@functools.cache
def foreign_key() -> SigningKey:
    """An RSA key no emulator publishes (fresh material, generated once per process)."""
    return SigningKey.generate()


def _claims(token: str) -> dict[str, Any]:
    return dict(json.loads(b64url_decode(token.split(".")[1])))


def unsigned(header: Mapping[str, Any], claims: Mapping[str, Any], signature: str = "") -> str:
    """A compact JWS with the given parts and a literal signature segment."""
    return f"{json_segment(header)}.{json_segment(claims)}.{signature}"


def alg_none(emu: Emulator, sub: str) -> str:
    """Valid claims, ``alg: none``, empty signature."""
    claims = _claims(emu.mint_access_token(sub))
    return unsigned({"alg": "none", "kid": emu.signing_kid}, claims)


def hs256_public_key(emu: Emulator, sub: str) -> str:
    """The key-confusion attack: HS256 with the public key PEM as the HMAC secret."""
    header = {"alg": "HS256", "kid": emu.signing_kid}
    claims = _claims(emu.mint_access_token(sub))
    signing_input = f"{json_segment(header)}.{json_segment(claims)}"
    secret = emu.public_key_pem().encode()
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url_encode(mac)}"


def tampered(token: str, **changes: Any) -> str:
    """``token`` with claims changed and the original signature kept."""
    head, _, sig = token.split(".")
    claims = _claims(token) | changes
    return f"{head}.{json_segment(claims)}.{sig}"


def foreign_signed(emu: Emulator, sub: str, *, kid: str | None = None) -> str:
    """Signed by a key the emulator does not publish; ``kid`` defaults to the emulator's."""
    claims = _claims(emu.mint_access_token(sub))
    return sign_jwt(claims, foreign_key(), {"kid": kid or emu.signing_kid})


def unknown_kid(emu: Emulator, sub: str) -> str:
    """Signed by a foreign key that names a ``kid`` absent from the key set."""
    return foreign_signed(emu, sub, kid=str(uuid.uuid4()))


def oversize(emu: Emulator, sub: str, size: int = 20_000) -> str:
    """A validly signed token far over CloudBase's 4096-character maximum."""
    return emu.mint_access_token(sub, claims_overrides={"padding": "x" * size})


def expired(emu: Emulator, sub: str, seconds_ago: int = 3600) -> str:
    """Validly signed, ``exp`` ``seconds_ago`` in the past (well beyond any leeway)."""
    lifetime = emu.settings.token_lifetime
    return emu.mint_access_token(sub, issued_at=emu.now() - lifetime - seconds_ago)


def not_yet_valid(emu: Emulator, sub: str, seconds_ahead: int = 3600) -> str:
    """Validly signed, issued ``seconds_ahead`` in the future (``iat`` and ``nbf``)."""
    future = int(emu.now() + seconds_ahead)
    return emu.mint_access_token(sub, issued_at=future, claims_overrides={"nbf": future})


GARBAGE = {
    "garbage_empty_parts": "..",
    "garbage_two_parts": "abc.def",
    "garbage_four_parts": "a.b.c.d",
    "garbage_not_base64": "!!!.@@@.###",
    "garbage_not_json": "bm90IGpzb24.bm90IGpzb24.c2ln",
    "garbage_text": "not-a-token",
}

_FORGERS: dict[str, Callable[[Emulator, str], str]] = {
    "alg_none": alg_none,
    "hs256_public_key": hs256_public_key,
    "tampered_payload": lambda emu, sub: tampered(emu.mint_access_token(sub), sub="someone-else"),
    "tampered_groups": lambda emu, sub: tampered(
        emu.mint_access_token(sub, groups=("user",)), groups=["administrator"]
    ),
    "foreign_key": foreign_signed,
    "unknown_kid": unknown_kid,
    "oversize": oversize,
    "expired": expired,
    "not_yet_valid": not_yet_valid,
    "wrong_issuer": lambda emu, sub: emu.mint_access_token(
        sub, claims_overrides={"iss": "https://evil.example.com"}
    ),
    "wrong_audience": lambda emu, sub: emu.mint_access_token(sub, audience="another-client"),
    "wrong_project_id": lambda emu, sub: emu.mint_access_token(
        sub, claims_overrides={"project_id": "another-env"}
    ),
    "missing_exp": lambda emu, sub: emu.mint_access_token(sub, claims_overrides={"exp": None}),
    "missing_sub": lambda emu, sub: emu.mint_access_token(sub, claims_overrides={"sub": None}),
}
_FORGERS.update(
    {name: functools.partial(lambda text, emu, sub: text, text) for name, text in GARBAGE.items()}
)

#: Names of every bad-token case, for ``pytest.mark.parametrize``.
BAD_TOKEN_CASES: tuple[str, ...] = tuple(_FORGERS)


def forge(emu: Emulator, case: str, sub: str = "1849755119840497664") -> str:
    """The bad token of ``case`` (one of :data:`BAD_TOKEN_CASES`) for ``sub``."""
    return _FORGERS[case](emu, sub)
