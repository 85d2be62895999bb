"""JWT bearer auth of the Quiz API on real PostgreSQL, with HS256 and with a generated RSA pair.

Every rule of issue 13: 401 (+ ``WWW-Authenticate: Bearer``) for a missing, malformed, expired,
tampered, wrong-audience, ``alg: none`` or key-confused token; 403 for another learner's id on
each endpoint; a service token acts for anyone; operations routes stay open; no token or
learner id in metrics or logs; and mode none keeps the app's exact call working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from quiz_fixture import add_learner, quiz_settings
from quiz_tokens import (
    AUDIENCE,
    SERVICE_SCOPE,
    Signer,
    bearer,
    claims,
    forged,
    public_pem,
    rsa_private_key,
    tampered,
)
from schemathesis import GenerationMode

from apps.common.jwt_keys import AuthConfigError
from apps.common.logs import JsonFormatter
from apps.quiz.app import create_app
from data.build.learners import EXAMPLE_LEARNER_ID, NEW_LEARNER_ID

SECRET = "test-only-hs256-secret-0123456789abcdefghijklmnop"
A, B = EXAMPLE_LEARNER_ID, NEW_LEARNER_ID
RSA_KEY = rsa_private_key()
ENDPOINTS = ["recommendations", "progress", "predictions", "quizzes"]


def call(client: TestClient, endpoint: str, learner: Any, headers: dict[str, str]) -> Any:
    """One request to ``endpoint`` for ``learner`` (the quiz write goes to a fresh learner's id)."""
    uid = str(learner)
    if endpoint == "recommendations":
        return client.post("/get_recommendations", json={"user_id": uid}, headers=headers)
    if endpoint == "progress":
        return client.get(f"/v1/learners/{uid}/progress", headers=headers)
    if endpoint == "predictions":
        body = {"user_id": uid, "mot_ids": [11, 12]}
        return client.post("/v1/predictions", json=body, headers=headers)
    body = {"user_id": uid, "answers": [{"mot_id": 11, "correct": True}]}
    return client.post("/v1/quizzes", json=body, headers=headers)


OK = {"recommendations": 200, "progress": 200, "predictions": 200, "quizzes": 201}


def jwt_app(quiz_db: str, **auth: Any) -> TestClient:
    settings = quiz_settings(
        quiz_db,
        random_seed=1,
        auth_mode="jwt",
        jwt_audience=AUDIENCE,
        jwt_service_scope=SERVICE_SCOPE,
        **auth,
    )
    return TestClient(create_app(settings))


@pytest.fixture(scope="module", params=["HS256", "RS256"])
def keyed(request: pytest.FixtureRequest, quiz_db: str) -> Iterator[tuple[TestClient, Signer]]:
    """A started app in jwt mode and the signer of its tokens: HS256 secret or RSA pair."""
    if request.param == "HS256":
        client, signer = jwt_app(quiz_db, jwt_secret=SECRET), Signer(SECRET, "HS256")
    else:
        client = jwt_app(quiz_db, jwt_public_key=public_pem(RSA_KEY))
        signer = Signer(RSA_KEY, "RS256")
    with client:
        yield client, signer


def assert_401(response: Any, words: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith('Bearer realm="quiz"')
    assert words.lower() in response.json()["detail"].lower(), response.json()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_token_is_401_with_a_bearer_challenge(
    keyed: tuple[TestClient, Signer], endpoint: str
) -> None:
    client, _ = keyed
    response = call(client, endpoint, A, {})
    assert_401(response, "Bearer token required")
    assert response.headers["www-authenticate"] == 'Bearer realm="quiz"'


@pytest.mark.parametrize(
    ("authorization", "words"),
    [
        ("Bearer not-a-jwt", "malformed"),
        ("Bearer a.b.c", "malformed"),
        ("Basic dXNlcjpwYXNz", "not `Bearer <token>`"),
        ("Bearer", "not `Bearer <token>`"),
    ],
)
def test_malformed_header_is_401(
    keyed: tuple[TestClient, Signer], authorization: str, words: str
) -> None:
    client, _ = keyed
    response = call(client, "progress", A, {"Authorization": authorization})
    assert_401(response, words)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_token_rules(keyed: tuple[TestClient, Signer]) -> None:
    """Expired, tampered, wrong or no audience, no exp, not yet valid, no learner: clear 401s."""
    client, signer = keyed
    good = signer.token(A)
    cases = {
        "expired": (signer.token(A, ttl=-3600), "expired"),
        "tampered": (tampered(good, sub=str(B)), "signature"),
        "wrong audience": (signer.token(A, aud="another-api"), "audience"),
        "no audience": (_without(signer, "aud"), "lacks the aud claim"),
        "no exp": (_without(signer, "exp"), "lacks the exp claim"),
        "not yet valid": (signer.token(A, nbf=int(claims()["exp"]) + 3600), "not valid yet"),
        "no learner": (signer.token(), "not a learner id"),
        "learner not a uuid": (signer.token("alice"), "not a learner id"),
    }
    for name, (token, words) in cases.items():
        response = call(client, "progress", A, bearer(token))
        assert response.status_code == 401, name
        assert_401(response, words)
    assert call(client, "progress", A, bearer(good)).status_code == 200


def _without(signer: Signer, claim: str) -> str:
    payload = claims(A)
    del payload[claim]
    return jwt.encode(payload, signer.key, signer.algorithm)


def test_alg_none_is_refused(keyed: tuple[TestClient, Signer]) -> None:
    client, _ = keyed
    for alg in ("none", "None", "NONE"):
        token = forged({"alg": alg, "typ": "JWT"}, claims(A), None)
        response = call(client, "progress", A, bearer(token))
        assert response.status_code == 401, (alg, response.text)
        assert (
            "algorithm not accepted" in response.json()["detail"]
            or "Malformed" in (response.json()["detail"])
        )


def test_hs_rs_key_confusion_is_refused(keyed: tuple[TestClient, Signer]) -> None:
    """RS mode: an HS256 token keyed with the public PEM; HS mode: a token signed RS256."""
    client, signer = keyed
    if signer.algorithm == "RS256":
        token = forged({"alg": "HS256", "typ": "JWT"}, claims(A), public_pem(RSA_KEY).encode())
        assert_401(call(client, "progress", A, bearer(token)), "algorithm not accepted (RS256")
    else:
        token = Signer(rsa_private_key(), "RS256").token(A)
        assert_401(call(client, "progress", A, bearer(token)), "algorithm not accepted (HS256")
        # the secret used as an RSA "public key" is not a key: nothing to confuse it with
        other = forged({"alg": "HS256", "typ": "JWT"}, claims(A), b"another-secret")
        assert_401(call(client, "progress", A, bearer(other)), "signature")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_learner_on_another_learner_is_403(
    keyed: tuple[TestClient, Signer], quiz_db: str, endpoint: str
) -> None:
    client, signer = keyed
    target = add_learner(quiz_db) if endpoint == "quizzes" else B
    response = call(client, endpoint, target, bearer(signer.token(A)))
    assert response.status_code == 403, response.text
    assert response.json() == {"detail": "This token may not act for this learner"}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_learner_on_self_is_served(
    keyed: tuple[TestClient, Signer], quiz_db: str, endpoint: str
) -> None:
    client, signer = keyed
    learner = add_learner(quiz_db) if endpoint == "quizzes" else A
    # the same learner written differently (upper case, spaces) is the same learner
    response = call(client, endpoint, f" {str(learner).upper()} ", bearer(signer.token(learner)))
    assert response.status_code == OK[endpoint], response.text


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_service_token_acts_for_any_learner(
    keyed: tuple[TestClient, Signer], quiz_db: str, endpoint: str
) -> None:
    client, signer = keyed
    learner = add_learner(quiz_db) if endpoint == "quizzes" else B
    assert call(client, endpoint, learner, bearer(signer.service())).status_code == OK[endpoint]
    # the scope as a JSON list works too; a scope that merely contains the word does not
    as_list = signer.token(scope=["x", SERVICE_SCOPE])
    assert call(client, "progress", B, bearer(as_list)).status_code == 200
    near = signer.token(scope=f"{SERVICE_SCOPE}-readonly")
    assert call(client, "progress", B, bearer(near)).status_code == 401


def test_malformed_learner_id_is_still_400(keyed: tuple[TestClient, Signer]) -> None:
    """The id contract is unchanged for an authenticated caller (no 403 for a non-UUID)."""
    client, signer = keyed
    response = call(client, "recommendations", "not-a-uuid", bearer(signer.token(A)))
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid user ID format"}


def test_operations_routes_stay_open(keyed: tuple[TestClient, Signer]) -> None:
    client, _ = keyed
    assert client.get("/health").status_code == 200
    assert client.get("/ready").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_no_token_or_learner_in_metrics_or_logs(
    keyed: tuple[TestClient, Signer], caplog: pytest.LogCaptureFixture
) -> None:
    client, signer = keyed
    token, refused = signer.token(A), tampered(signer.token(A), sub=str(B))
    with caplog.at_level(logging.DEBUG):
        call(client, "recommendations", A, bearer(token))
        call(client, "predictions", B, bearer(token))
        call(client, "progress", A, bearer(refused))
        call(client, "progress", A, {"Authorization": f"Basic {token}"})
    lines = [JsonFormatter().format(r) for r in caplog.records]
    assert any('"route": "/get_recommendations"' in line for line in lines), lines
    assert any("token refused: signature" in line for line in lines), lines
    for secret in (token, refused, token.split(".")[2], refused.split(".")[1]):
        assert not any(secret in line for line in lines), secret
    metrics = client.get("/metrics").text
    assert 'vocabulo_auth_failures_total{reason="signature",service="quiz"}' in metrics
    for secret in (token, token.split(".")[1], str(A), str(B)):
        assert secret not in metrics


@pytest.mark.parametrize("keyed", ["RS256"], indirect=True)  # the key type changes nothing here
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_with_auth_headers_no_server_error(
    keyed: tuple[TestClient, Signer],
    mode: GenerationMode,
    fuzz_no_server_error: Callable[..., set[str]],
) -> None:
    """Every operation fuzzed with a service token (served) and a learner token (mostly 403)."""
    client, signer = keyed
    for token in (signer.service(), signer.token(A)):
        exercised = fuzz_no_server_error(client.app, mode, 20, headers=bearer(token))
        assert exercised >= {"/get_recommendations", "/v1/quizzes", "/v1/predictions"}


def test_openapi_documents_bearer_auth(keyed: tuple[TestClient, Signer]) -> None:
    schema = keyed[0].get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    operation = schema["paths"]["/get_recommendations"]["post"]
    assert operation["security"] == [{"HTTPBearer": []}]
    assert {"401", "403"} <= set(operation["responses"])
    assert "security" not in schema["paths"]["/health"]["get"]


def test_mode_none_keeps_the_apps_exact_call(client: TestClient) -> None:
    """The upstream app's call, byte for byte: no token, JSON body, only content-type."""
    response = client.post(
        "/get_recommendations",
        content=b'{"user_id": "001b6789-96de-448c-9ede-5c787514be27"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["recommendations"]) >= 10
    # a stray Authorization header changes nothing in mode none
    stray = call(client, "progress", B, {"Authorization": "Bearer whatever"})
    assert stray.status_code == 200


def test_jwt_mode_without_a_usable_key_refuses_to_start(
    quiz_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lifespan fails before serving: no key in the environment, or a key that is not one."""
    monkeypatch.setenv("DATABASE_URL", quiz_db)
    monkeypatch.setenv("QUIZ_AUTH_MODE", "jwt")
    no_key = pytest.raises(ValidationError, match="QUIZ_AUTH_MODE=jwt needs exactly one key")
    with no_key, TestClient(create_app()):
        pass
    bad = quiz_settings(quiz_db, auth_mode="jwt", jwt_public_key="not a key")
    not_a_key = pytest.raises(AuthConfigError, match="QUIZ_JWT_PUBLIC_KEY is not a PEM public key")
    with not_a_key, TestClient(create_app(bad)):
        pass
