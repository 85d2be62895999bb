"""JWTs for the auth tests: signers for HS256 and a generated RSA pair, and forged tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

AUDIENCE = "vocabulo-quiz"
SERVICE_SCOPE = "quiz:any-learner"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rsa_private_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key (generated in the test, never stored)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def claims(sub: Any = None, ttl: int = 300, **extra: Any) -> dict[str, Any]:
    """Valid claims: audience, issued now, expiring in ``ttl`` s (negative: already expired)."""
    now = int(time.time())
    out: dict[str, Any] = {"aud": AUDIENCE, "iat": now - 5, "exp": now + ttl, **extra}
    if sub is not None:
        out["sub"] = str(sub)
    return out


@dataclass(frozen=True)
class Signer:
    """Sign tokens with one key and algorithm (and an optional ``kid`` header)."""

    key: Any
    algorithm: str
    kid: str | None = None

    def token(self, sub: Any = None, ttl: int = 300, **extra: Any) -> str:
        headers = {"kid": self.kid} if self.kid else None
        return jwt.encode(claims(sub, ttl, **extra), self.key, self.algorithm, headers=headers)

    def service(self, **extra: Any) -> str:
        """A token of the app's backend: the service scope, no learner."""
        return self.token(scope=f"openid {SERVICE_SCOPE}", **extra)


def forged(header: dict[str, Any], payload: dict[str, Any], hmac_key: bytes | None) -> str:
    """A token built by hand: ``alg: none`` (no key) or HS256 with any bytes as the secret.

    PyJWT itself refuses to HMAC-sign with a PEM key, which is what an attacker does.
    """
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if hmac_key is None:
        return signing_input + "."
    digest = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(digest)}"


def tampered(token: str, **changes: Any) -> str:
    """The same header and signature over a payload with ``changes``."""
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    return ".".join([header, b64(json.dumps(data).encode()), signature])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
