"""Verification keys for JWTs, each pinned to the one algorithm its type allows.

An HS256 secret, an RSA public key (RS256) or an EC one (ES256/384/512 by curve), from PEM or
from a JWKS file (rotation: several keys told apart by ``kid``). A key never verifies under an
algorithm chosen by the token, which is what defeats ``alg: none`` and HS/RS key confusion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash
MIN_RSA_BITS = 2048
EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
JWK_EC_ALGORITHMS = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}


class AuthConfigError(ValueError):
    """The auth settings cannot work; the message names the variable to fix."""


@dataclass(frozen=True)
class VerificationKey:
    """A key and the one algorithm it verifies."""

    key: Any
    algorithm: str


def public_key_entry(pem: str, where: str) -> VerificationKey:
    """An RSA (RS256, >= 2048 bits) or EC (ES256/384/512 by curve) public key from PEM."""
    try:
        key = load_pem_public_key(pem.strip().encode())
    except ValueError:
        raise AuthConfigError(f"{where} is not a PEM public key") from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise AuthConfigError(f"{where}: RSA key of {key.key_size} bits (< {MIN_RSA_BITS})")
        return VerificationKey(key, "RS256")
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in EC_ALGORITHMS:
        return VerificationKey(key, EC_ALGORITHMS[key.curve.name])
    raise AuthConfigError(f"{where}: only RSA and EC P-256/384/521 public keys are accepted")


def jwk_algorithm(jwk: dict[str, Any], where: str) -> str:
    """The algorithm pinned by a JWK's type (and curve); a contradicting ``alg`` is refused."""
    kty = jwk.get("kty")
    pinned = {"RSA": "RS256", "oct": "HS256"}.get(str(kty)) or (
        JWK_EC_ALGORITHMS.get(str(jwk.get("crv"))) if kty == "EC" else None
    )
    if pinned is None:
        raise AuthConfigError(f"{where}: unsupported key type {kty!r} (RSA, EC or oct)")
    if jwk.get("alg", pinned) != pinned:
        raise AuthConfigError(f"{where}: alg {jwk['alg']!r} does not match its {kty} key")
    return pinned


def jwks_entries(path: Path, where: str) -> dict[str | None, VerificationKey]:
    """Keys of a JWKS file by ``kid`` (several keys: each needs a distinct kid)."""
    try:
        keys = json.loads(path.read_text())["keys"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AuthConfigError(f"{where}={path}: not a readable JWKS ({exc})") from None
    if not isinstance(keys, list) or not keys:
        raise AuthConfigError(f"{where}={path}: the key set is empty")
    entries: dict[str | None, VerificationKey] = {}
    for n, jwk in enumerate(keys):
        here = f"{where}={path} key {n}"
        if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig":
            raise AuthConfigError(f"{here}: not a signature key")
        algorithm = jwk_algorithm(jwk, here)
        try:
            key = jwt.PyJWK(jwk, algorithm=algorithm).key
        except jwt.PyJWTError as exc:
            raise AuthConfigError(f"{here}: {exc.__class__.__name__}") from None
        if algorithm == "HS256" and len(key) < MIN_SECRET_BYTES:
            raise AuthConfigError(f"{here}: oct key shorter than {MIN_SECRET_BYTES} bytes")
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
            raise AuthConfigError(f"{here}: RSA key of {key.key_size} bits")
        kid = jwk.get("kid")
        if kid in entries or (len(keys) > 1 and not kid):
            raise AuthConfigError(f"{here}: several keys need distinct `kid`s")
        entries[kid] = VerificationKey(key, algorithm)
    return entries
