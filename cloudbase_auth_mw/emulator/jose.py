"""RS256 signing keys, compact JWS signing/verification and the JWKS, on ``cryptography`` only.

CloudBase signs access tokens with 2048-bit RSA keys, header ``{"alg":"RS256","kid":<uuid>}``
(no ``typ``). Generating an RSA key costs tens of milliseconds, so key *material* is taken
from a process-wide pool that grows on demand and is shared by every emulator in the process;
each emulator still draws a fresh UUID ``kid`` per key, so key sets never collide by ``kid``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

KEY_SIZE = 2048


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of :func:`b64url_encode`; raises ``ValueError`` on bad input."""
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


def json_segment(value: Mapping[str, Any]) -> str:
    """One compact JWS segment: base64url of compact JSON."""
    return b64url_encode(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _int_b64(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


_pool: list[rsa.RSAPrivateKey] = []
_pool_lock = threading.Lock()


def pooled_private_key(index: int) -> rsa.RSAPrivateKey:
    """The ``index``-th RSA private key of the process-wide pool (generated on first use)."""
    with _pool_lock:
        while len(_pool) <= index:
            _pool.append(rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE))
        return _pool[index]


@dataclass(frozen=True)
class SigningKey:
    """An RSA key pair with its ``kid``; ``repr`` shows the ``kid`` only."""

    kid: str
    private_key: rsa.RSAPrivateKey = field(repr=False, compare=False)

    @classmethod
    def generate(cls, pool_index: int | None = None) -> SigningKey:
        """A key with a new UUID ``kid``: pooled material if ``pool_index`` is given, else fresh."""
        if pool_index is None:
            material = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        else:
            material = pooled_private_key(pool_index)
        return cls(kid=str(uuid.uuid4()), private_key=material)

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    def jwk(self) -> dict[str, str]:
        """The public JWK as CloudBase's key set lists it."""
        numbers = self.public_key.public_numbers()
        return {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": _int_b64(numbers.n),
            "e": _int_b64(numbers.e),
        }

    def public_pem(self) -> str:
        """The public key as a PEM ``SubjectPublicKeyInfo`` (for static-key mode)."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def sign(self, data: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 with SHA-256 (``RS256``)."""
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self.public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True


def sign_jwt(
    claims: Mapping[str, Any], key: SigningKey, header_overrides: Mapping[str, Any] | None = None
) -> str:
    """A compact RS256 JWS of ``claims``; the header is ``{"alg":"RS256","kid":...}``.

    ``header_overrides`` replace header fields (a value of ``None`` removes the field); the
    signature is always RS256 with ``key``, whatever the header claims.
    """
    header: dict[str, Any] = {"alg": "RS256", "kid": key.kid}
    for name, value in (header_overrides or {}).items():
        if value is None:
            header.pop(name, None)
        else:
            header[name] = value
    signing_input = f"{json_segment(header)}.{json_segment(claims)}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode('ascii')))}"


def verify_jwt(token: str, keys: Iterable[SigningKey]) -> dict[str, Any] | None:
    """The claims of ``token`` if it is an RS256 JWS signed by the key its ``kid`` names.

    Returns ``None`` for anything else (malformed, other algorithm, unknown ``kid``, bad
    signature). Expiry is the caller's business.
    """
    try:
        head_b64, body_b64, sig_b64 = token.split(".")
        header = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(body_b64))
        signature = b64url_decode(sig_b64)
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    if header.get("alg") != "RS256":
        return None
    key = next((k for k in keys if k.kid == header.get("kid")), None)
    if key is None or not key.verify(signature, f"{head_b64}.{body_b64}".encode("ascii")):
        return None
    return claims


def token_fingerprint(token: str) -> str:
    """A stable, non-reversible handle for a token (state is keyed by it, never by the token)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
