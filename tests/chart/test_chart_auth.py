"""The chart's JWT auth values: env from the Secret, JWKS file, schema, and the Ingress refusal."""

from __future__ import annotations

from typing import Any

import pytest
from chart_render import CHART, documents, helm, template

from apps.junior.settings import JuniorSettings
from apps.quiz.settings import QuizSettings

HS = ("--set", "quiz.auth.mode=jwt", "--set", "quiz.auth.existingSecret=vocabulo-jwt")


def container(rendered: str, api: str) -> tuple[dict[str, Any], dict[str, Any]]:
    (deployment,) = [
        d
        for d in documents(rendered)
        if d["kind"] == "Deployment" and d["metadata"]["name"] == f"vocabulo-{api}"
    ]
    spec = deployment["spec"]["template"]["spec"]
    (c,) = [c for c in spec["containers"] if c["name"] == api]
    return spec, c


def env_of(c: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c["env"]}


def refusal(helm_bin: str, *args: str) -> str:
    """helm template's error output; the rendering must fail."""
    result = helm(helm_bin, "template", "vocabulo", str(CHART), *args)
    assert result.returncode != 0, "rendered"
    return result.stderr


def test_default_is_mode_none_with_no_key(helm_bin: str) -> None:
    for api in ("quiz", "junior"):
        _, c = container(template(helm_bin), api)
        env = env_of(c)
        assert env[f"{api.upper()}_AUTH_MODE"] == "none"
        assert not [name for name in env if "_JWT_" in name]


def test_hs256_secret_comes_from_the_existing_secret(helm_bin: str) -> None:
    out = template(
        helm_bin,
        None,
        *HS,
        "--set",
        "quiz.auth.secretKeys.secret=hs256",
        "--set",
        "quiz.auth.jwt.audience=vocabulo-quiz",
        "--set",
        "quiz.auth.jwt.serviceScope=quiz:any-learner",
    )
    spec, c = container(out, "quiz")
    env = env_of(c)
    assert env["QUIZ_AUTH_MODE"] == "jwt"
    assert env["QUIZ_JWT_SECRET"] == {"secretKeyRef": {"name": "vocabulo-jwt", "key": "hs256"}}
    assert env["QUIZ_JWT_AUDIENCE"] == "vocabulo-quiz"
    assert env["QUIZ_JWT_SERVICE_SCOPE"] == "quiz:any-learner"
    assert "QUIZ_JWT_PUBLIC_KEY" not in env
    assert "QUIZ_JWT_JWKS_FILE" not in env
    assert "vocabulo-jwt" not in str(spec["volumes"])
    # the rendered names and values are what QuizSettings reads (prefix, fields, types)
    plain = {k: v for k, v in env.items() if k.startswith("QUIZ_") and isinstance(v, str)}
    settings = QuizSettings(
        DATABASE_URL="postgresql://x@h/db",
        **{k[5:].lower(): v for k, v in plain.items()},
        jwt_secret="s" * 32,
    )
    assert (settings.auth_mode, settings.jwt_issuer, settings.jwt_leeway_s) == ("jwt", None, 30)
    assert not _secret_in_any_configmap(out)


def _secret_in_any_configmap(rendered: str) -> bool:
    return any(
        "hs256" in str(d.get("data")) for d in documents(rendered) if d["kind"] == "ConfigMap"
    )


def test_public_key_and_jwks_for_junior(helm_bin: str) -> None:
    out = template(
        helm_bin,
        None,
        "--set",
        "junior.auth.mode=jwt",
        "--set",
        "junior.auth.existingSecret=keys",
        "--set",
        "junior.auth.secretKeys.publicKey=pub.pem",
    )
    env = env_of(container(out, "junior")[1])
    assert env["JUNIOR_JWT_PUBLIC_KEY"] == {"secretKeyRef": {"name": "keys", "key": "pub.pem"}}
    assert env_of(container(out, "quiz")[1])["QUIZ_AUTH_MODE"] == "none"
    out = template(helm_bin, None, *HS, "--set", "quiz.auth.secretKeys.jwks=jwks.json")
    spec, c = container(out, "quiz")
    assert env_of(c)["QUIZ_JWT_JWKS_FILE"] == "/etc/vocabulo/jwt/jwks.json"
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    assert mounts["jwt-keys"] == {
        "name": "jwt-keys",
        "mountPath": "/etc/vocabulo/jwt",
        "readOnly": True,
    }
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["jwt-keys"]["secret"]["secretName"] == "vocabulo-jwt"
    assert volumes["jwt-keys"]["secret"]["items"] == [{"key": "jwks.json", "path": "jwks.json"}]
    assert JuniorSettings.model_fields["jwt_jwks_file"]  # the variable the chart sets exists


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--set", "quiz.auth.mode=jwt"), "quiz.auth.mode=jwt needs quiz.auth.existingSecret"),
        (HS, "needs exactly one of quiz.auth.secretKeys.secret, .publicKey or .jwks"),
        (
            (*HS, "--set", "quiz.auth.secretKeys.secret=a", "--set", "quiz.auth.secretKeys.jwks=b"),
            "2 are set",
        ),
        (
            ("--set", "junior.auth.mode=jwt", "--set", "junior.auth.existingSecret=k"),
            "junior.auth.mode=jwt needs exactly one",
        ),
    ],
)
def test_jwt_without_exactly_one_key_is_refused(
    helm_bin: str, args: tuple[str, ...], message: str
) -> None:
    assert message in refusal(helm_bin, *args)


def test_ingress_is_refused_while_an_api_is_anonymous(helm_bin: str) -> None:
    """The refusal names the open APIs and both ways out."""
    stderr = refusal(helm_bin, "--set", "ingress.enabled=true")
    assert "would expose quiz, junior with auth.mode=none" in stderr
    assert "<api>.auth.mode=jwt" in stderr
    assert "ingress.allowAnonymous=true" in stderr
    only_junior = refusal(
        helm_bin, "--set", "ingress.enabled=true", *HS, "--set", "quiz.auth.secretKeys.secret=k"
    )
    assert "would expose junior with" in only_junior
    assert "ingress.allowAnonymous={junior}" in only_junior
    junior_off = template(
        helm_bin,
        None,
        "--set",
        "ingress.enabled=true",
        "--set",
        "junior.enabled=false",
        *HS,
        "--set",
        "quiz.auth.secretKeys.secret=k",
    )
    names = [d["metadata"]["name"] for d in documents(junior_off) if d["kind"] == "Ingress"]
    assert names == ["vocabulo-quiz"]


def test_allow_anonymous_for_some_apis_only(helm_bin: str) -> None:
    """A list allows just those APIs: a public Junior beside a Quiz API that asks tokens."""
    quiz_jwt = (*HS, "--set", "quiz.auth.secretKeys.secret=k")
    out = template(
        helm_bin,
        None,
        "--set",
        "ingress.enabled=true",
        "--set",
        "ingress.allowAnonymous={junior}",
        *quiz_jwt,
    )
    assert len([d for d in documents(out) if d["kind"] == "Ingress"]) == 2
    stderr = refusal(
        helm_bin, "--set", "ingress.enabled=true", "--set", "ingress.allowAnonymous={junior}"
    )
    assert "would expose quiz with auth.mode=none" in stderr


def test_allow_anonymous_renders_and_annotations_are_per_api(helm_bin: str) -> None:
    out = template(
        helm_bin,
        None,
        "--set",
        "ingress.enabled=true",
        "--set",
        "ingress.allowAnonymous=true",
        "--set-string",
        "ingress.annotations.shared=yes",
        "--set-string",
        "ingress.juniorAnnotations.nginx\\.ingress\\.kubernetes\\.io/limit-rpm=30",
    )
    ingresses = {d["metadata"]["name"]: d for d in documents(out) if d["kind"] == "Ingress"}
    assert set(ingresses) == {"vocabulo-quiz", "vocabulo-junior"}
    junior = ingresses["vocabulo-junior"]["metadata"]["annotations"]
    assert junior == {"shared": "yes", "nginx.ingress.kubernetes.io/limit-rpm": "30"}
    assert ingresses["vocabulo-quiz"]["metadata"]["annotations"] == {"shared": "yes"}
    assert ingresses["vocabulo-junior"]["spec"]["rules"][0]["host"] == "junior.vocabulo.local"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("quiz.auth.mode=oauth", "/quiz/auth/mode"),
        ("junior.auth.secretKeys.pem=x", "/junior/auth/secretKeys"),
        ("quiz.auth.jwt.leewaySeconds=3600", "/quiz/auth/jwt/leewaySeconds"),
        ("ingress.allowAnonymous=maybe", "/ingress/allowAnonymous"),
        ("ingress.allowAnonymous={pgadmin}", "/ingress/allowAnonymous"),
    ],
)
def test_schema_rejects_wrong_auth_values(helm_bin: str, setting: str, message: str) -> None:
    stderr = refusal(helm_bin, "--set", setting)
    assert "schema" in stderr, stderr
    assert message in stderr, stderr


def test_values_document_junior_rate_limit() -> None:
    text = (CHART / "values.yaml").read_text()
    assert "nginx.ingress.kubernetes.io/limit-rpm" in text
    assert "503 + Retry-After" in text
