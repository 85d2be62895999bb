"""apps/common/auth.py and jwt_keys.py without a database: start-up validation, key types, JWKS rotation by kid."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import HTTPException
from pydantic import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "quiz"))
from quiz_tokens import AUDIENCE, Signer, b64, claims, forged, public_pem, rsa_private_key

from apps.common.auth import Principal, TokenVerifier, scopes
from apps.common.jwt_keys import AuthConfigError
from apps.junior.settings import JuniorSettings
from apps.quiz.settings import QuizSettings

SECRET = "s" * 40
DB = {"DATABASE_URL": "postgresql://u:db-password-xyz@h/db"}


def quiz(**values: Any) -> QuizSettings:
    return QuizSettings(**DB, **values)


def verifier(**values: Any) -> TokenVerifier:
    return TokenVerifier(quiz(auth_mode="jwt", jwt_audience=AUDIENCE, **values), "quiz")


def test_mode_none_is_the_default_and_needs_no_key() -> None:
    assert quiz().auth_mode == "none"
    assert JuniorSettings(**DB).auth_mode == "none"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "QUIZ_AUTH_MODE=jwt needs exactly one key"),
        ({"jwt_secret": SECRET, "jwt_public_key": "x"}, "2 are set"),
        ({"jwt_secret": "too-short"}, "QUIZ_JWT_SECRET is 9 bytes"),
        ({"jwt_secret": "", "jwt_public_key": " "}, "none is set"),
    ],
)
def test_jwt_mode_without_a_usable_key_refuses_to_start(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        quiz(auth_mode="jwt", **values)
    assert message in str(caught.value)
    assert "db-password-xyz" not in str(caught.value)  # inputs hidden from the error
    assert "too-short" not in str(caught.value)


def test_junior_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNIOR_AUTH_MODE", "jwt")
    with pytest.raises(ValidationError, match="JUNIOR_AUTH_MODE=jwt needs exactly one key"):
        JuniorSettings(**DB)
    monkeypatch.setenv("JUNIOR_JWT_SECRET", SECRET)
    monkeypatch.setenv("JUNIOR_JWT_AUDIENCE", "")  # the chart's empty default means unset
    settings = JuniorSettings(**DB)
    assert (settings.auth_mode, settings.jwt_audience) == ("jwt", None)


def test_bad_public_keys_are_refused_at_start() -> None:
    with pytest.raises(AuthConfigError, match="QUIZ_JWT_PUBLIC_KEY is not a PEM public key"):
        verifier(jwt_public_key="-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(AuthConfigError, match="RSA key of 1024 bits"):
        verifier(jwt_public_key=public_pem(small))


def test_es256_public_key_pins_es256() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    v = verifier(jwt_public_key=pem)
    learner = "001b6789-96de-448c-9ede-5c787514be27"
    assert str(v.principal(Signer(key, "ES256").token(learner)).learner) == learner
    token = Signer(key, "ES256").token(learner)
    relabelled = ".".join([b64(json.dumps({"alg": "ES384"}).encode()), *token.split(".")[1:]])
    with pytest.raises(HTTPException, match="ES256 expected"):
        v.principal(relabelled)


def jwk(private: rsa.RSAPrivateKey, kid: str, **extra: Any) -> dict[str, Any]:
    data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return {**data, "kid": kid, "use": "sig", **extra}


def write_jwks(tmp_path: Path, *keys: dict[str, Any]) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": list(keys)}))
    return path


def test_jwks_rotation_two_keys_by_kid(tmp_path: Path) -> None:
    """During a rotation the set holds the old and the new key: both verify, by their kid."""
    old, new = rsa_private_key(), rsa_private_key()
    v = verifier(jwt_jwks_file=write_jwks(tmp_path, jwk(old, "2026-11"), jwk(new, "2026-12")))
    learner = "001b6789-96de-448c-9ede-5c787514be27"
    for key, kid in ((old, "2026-11"), (new, "2026-12")):
        assert str(v.principal(Signer(key, "RS256", kid).token(learner)).learner) == learner
    with pytest.raises(HTTPException, match="signature"):  # kid of one key, signed by the other
        v.principal(Signer(old, "RS256", "2026-12").token(learner))
    with pytest.raises(HTTPException, match="unknown key id"):
        v.principal(Signer(old, "RS256", "2025-01").token(learner))
    with pytest.raises(HTTPException, match="unknown key id"):  # two keys: the kid is needed
        v.principal(Signer(old, "RS256").token(learner))
    # the public key as an HS256 secret (JWK "n" bytes or the PEM) never verifies
    confused = forged({"alg": "HS256", "kid": "2026-12"}, claims(learner), public_pem(new).encode())
    with pytest.raises(HTTPException, match="RS256 expected"):
        v.principal(confused)


def test_jwks_oct_key_for_hs256(tmp_path: Path) -> None:
    k = jwt.utils.base64url_encode(SECRET.encode()).decode()
    v = verifier(jwt_jwks_file=write_jwks(tmp_path, {"kty": "oct", "k": k, "kid": "hs"}))
    learner = "001b6789-96de-448c-9ede-5c787514be27"
    assert v.principal(Signer(SECRET, "HS256", "hs").token(learner)).learner is not None


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ([], "the key set is empty"),
        ([{"kty": "OKP", "crv": "Ed25519", "x": "AA"}], "unsupported key type 'OKP'"),
        ([{"kty": "RSA", "alg": "HS256", "n": "AQAB", "e": "AQAB"}], "does not match"),
        ([{"kty": "oct", "k": "c2hvcnQ"}], "shorter than 32 bytes"),
        ([{"kty": "oct", "k": "c2hvcnQ", "use": "enc"}], "not a signature key"),
    ],
)
def test_bad_jwks_is_refused_at_start(
    tmp_path: Path, keys: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(AuthConfigError, match=message):
        verifier(jwt_jwks_file=write_jwks(tmp_path, *keys))


def test_jwks_needs_distinct_kids(tmp_path: Path) -> None:
    a, b = rsa_private_key(), rsa_private_key()
    with pytest.raises(AuthConfigError, match="distinct"):
        verifier(jwt_jwks_file=write_jwks(tmp_path, jwk(a, "same"), jwk(b, "same")))


def test_missing_jwks_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AuthConfigError, match=r"QUIZ_JWT_JWKS_FILE=.*not a readable JWKS"):
        verifier(jwt_jwks_file=tmp_path / "absent.json")


def test_issuer_is_checked_when_set() -> None:
    v = verifier(jwt_secret=SECRET, jwt_issuer="https://auth.vocabulo.example")
    learner = "001b6789-96de-448c-9ede-5c787514be27"
    signer = Signer(SECRET, "HS256")
    good = signer.token(learner, iss="https://auth.vocabulo.example")
    assert v.principal(good).learner is not None
    with pytest.raises(HTTPException, match="issuer"):
        v.principal(signer.token(learner, iss="https://evil.example"))
    with pytest.raises(HTTPException, match="lacks the iss claim"):
        v.principal(signer.token(learner))


def test_scopes_and_principal() -> None:
    assert scopes("a b  c") == ["a", "b", "c"]
    assert scopes(["a", 1, "b"]) == ["a", "b"]
    assert scopes(None) == scopes(7) == []
    assert Principal(None, service=True).may_act_for(__import__("uuid").uuid4())
