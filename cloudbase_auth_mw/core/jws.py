"""Strict parsing and RS256/PS256 verification of compact JWS tokens, before any network.

Parsing rejects, in this order and without touching a key: oversize tokens, anything but three
base64url segments, bad base64 or JSON, a header without an allowed ``alg`` (``none`` and HS*
can never be allowed: see ``config.SUPPORTED_ALGORITHMS``), and ``crit`` extensions. ``jku``,
``x5u``, ``jwk`` and ``x5c`` headers are ignored: keys only ever come from our key set.
The signature is checked with ``cryptography`` (OpenSSL) directly: one verify, no copies.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import InvalidSignature, MalformedToken, TokenTooLarge, UnsupportedAlgorithm


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: The stdlib's C scanner, called directly: ``json.loads`` would first guess the encoding of
#: the bytes and wrap the scan in Python. NaN and Infinity are refused, as RFC 8259 does.
_scan_once: Callable[[str, int], tuple[Any, int]]
_scan_once = json.JSONDecoder(parse_constant=_refuse_constant).scan_once  # type: ignore[attr-defined]
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _skip_whitespace(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def _stdlib_loads(data: bytes) -> Any:
    """Strict JSON from UTF-8 bytes: one value, only JSON whitespace around it."""
    text = data.decode("utf-8")
    start = _skip_whitespace(text, 0) if text[:1] in (" ", "\t", "\n", "\r") else 0
    try:
        value, end = _scan_once(text, start)
    except StopIteration:
        raise ValueError("no JSON value") from None
    if end != len(text) and _skip_whitespace(text, end) != len(text):
        raise ValueError("data after the JSON value")
    return value


_loads: Callable[[bytes], Any]
try:  # the ``speedups`` extra: a strict RFC 8259 parser about 4x faster on token payloads
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - exercised by the core-only tox environment
    _loads = _stdlib_loads

_TO_STANDARD_ALPHABET = bytes.maketrans(b"-_", b"+/")
_BASE64URL_AND_DOT = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
_HASHES: Mapping[str, type[hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
MIN_RSA_BITS = 2048
#: Parsed headers by their encoded segment: tokens of one key share a header, so parsing it
#: once saves a base64 and a JSON decode per new token. Bounded; only allowed headers enter.
_HEADER_MEMORY = 256
_headers: dict[tuple[str, frozenset[str]], dict[str, Any]] = {}


class ParsedToken(NamedTuple):
    """A syntactically valid JWS whose signature is not checked yet."""

    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        return str(self.header["alg"])

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None

    def __repr__(self) -> str:
        return f"ParsedToken(alg={self.alg!r}, kid={self.kid!r})"


def is_compact_alphabet(token: str) -> bool:
    """Whether ``token`` holds only base64url characters and dots (one C-speed pass)."""
    return token.isascii() and not token.encode("ascii").translate(None, _BASE64URL_AND_DOT)


def _decode_checked(segment: str) -> bytes:
    """Decode a segment whose alphabet was already checked."""
    if len(segment) % 4 == 1:
        raise MalformedToken()
    data = segment.encode("ascii").translate(_TO_STANDARD_ALPHABET)
    try:
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        raise MalformedToken() from None


def b64url_decode(segment: str) -> bytes:
    """Decode unpadded base64url strictly; raises :class:`MalformedToken`."""
    if "." in segment or not is_compact_alphabet(segment):
        raise MalformedToken()
    return _decode_checked(segment)


def json_segment(segment: str) -> dict[str, Any]:
    """Decode one base64url JSON-object segment; raises :class:`MalformedToken`."""
    return _json_object(b64url_decode(segment))


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        value = _loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedToken() from None
    if not isinstance(value, dict):
        raise MalformedToken()
    return value


def parse_token(token: str, *, max_bytes: int, algorithms: frozenset[str]) -> ParsedToken:
    """Parse ``token`` strictly; raises an :class:`InvalidToken` subclass when it is unusable."""
    if len(token) > max_bytes:
        raise TokenTooLarge()
    segments = token.split(".")
    if len(segments) != 3 or not segments[0] or not segments[1] or not is_compact_alphabet(token):
        raise MalformedToken()
    head, payload, signature = segments
    header = _headers.get((head, algorithms)) or _parse_header(head, algorithms)
    return ParsedToken(
        header,
        _json_object(_decode_checked(payload)),
        token[: len(head) + len(payload) + 1].encode("ascii"),
        _decode_checked(signature),
    )


def _scheme(alg: str) -> tuple[padding.AsymmetricPadding, hashes.HashAlgorithm]:
    digest = _HASHES[alg[2:]]()
    if alg.startswith("PS"):
        return padding.PSS(mgf=padding.MGF1(digest), salt_length=padding.PSS.DIGEST_LENGTH), digest
    return padding.PKCS1v15(), digest


#: Padding and hash objects per algorithm, built once (they are immutable).
_SCHEMES = {alg: _scheme(alg) for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")}


def _parse_header(head: str, algorithms: frozenset[str]) -> dict[str, Any]:
    header = json_segment(head)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        raise UnsupportedAlgorithm()
    if "crit" in header:
        raise UnsupportedAlgorithm("The access token requires unsupported header extensions.")
    if len(_headers) >= _HEADER_MEMORY:
        _headers.clear()
    _headers[(head, algorithms)] = header
    return header


def verify_signature(parsed: ParsedToken, key: rsa.RSAPublicKey) -> None:
    """Check the signature with ``key``; raises :class:`InvalidSignature`."""
    pad, digest = _SCHEMES[parsed.alg]
    try:
        key.verify(parsed.signature, parsed.signing_input, pad, digest)
    except _CryptoInvalidSignature:
        raise InvalidSignature() from None


def rsa_key_from_jwk(jwk: Mapping[str, Any]) -> rsa.RSAPublicKey | None:
    """An RSA signing key from one JWK, or ``None`` for a key we must not use."""
    if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
        return None
    try:
        n = int.from_bytes(b64url_decode(str(jwk["n"])), "big")
        e = int.from_bytes(b64url_decode(str(jwk["e"])), "big")
        key = rsa.RSAPublicNumbers(e, n).public_key()
    except (KeyError, ValueError, MalformedToken):
        return None
    return key if key.key_size >= MIN_RSA_BITS else None
