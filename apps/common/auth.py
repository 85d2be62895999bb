"""JWT bearer authentication shared by the APIs: settings, token checks, FastAPI dependencies.

Mode ``none`` (default) keeps the in-cluster contract: no token asked. Mode ``jwt`` asks a
``Bearer`` token on every API route (``/health``, ``/ready``, ``/metrics`` stay open), verified
with exactly one key source: an HS256 secret, a PEM public key or a JWKS file. The algorithm is
pinned by the key's type, never read from the token, so ``alg: none`` and HS/RS key confusion
fail. A learner token acts for the learner in its user claim; a service token (a configured
scope) acts for any learner.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import jwt
from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import Counter
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from apps.common.jwt_keys import (
    MIN_SECRET_BYTES,
    AuthConfigError,
    VerificationKey,
    jwks_entries,
    public_key_entry,
)

log = logging.getLogger("vocabulo.auth")

FORBIDDEN = "This token may not act for this learner"

AUTH_FAILURES = Counter(
    "vocabulo_auth_failures_total",
    "Refused requests by reason (bounded set: missing, malformed, expired, signature, ...).",
    ["service", "reason"],
)


class AuthSettings(BaseSettings):
    """Auth fields mixed into a service's settings; its ``env_prefix`` applies (QUIZ_AUTH_MODE)."""

    # A refused setting must not print the inputs (a secret, the database URL) in the error.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    auth_mode: Literal["none", "jwt"] = Field(
        default="none", description="none: no token asked (in-cluster); jwt: Bearer tokens"
    )
    jwt_secret: SecretStr | None = Field(default=None, description="HS256 secret (>= 32 bytes)")
    jwt_public_key: str | None = Field(default=None, description="PEM public key (RSA or EC)")
    jwt_jwks_file: Path | None = Field(default=None, description="JWKS file (key rotation by kid)")
    jwt_audience: str | None = Field(default=None, description="required `aud` when set")
    jwt_issuer: str | None = Field(default=None, description="required `iss` when set")
    jwt_user_claim: str = Field(default="sub", min_length=1, description="claim with the learner")
    jwt_service_claim: str = Field(default="scope", min_length=1, description="scope claim name")
    jwt_service_scope: str | None = Field(
        default=None, description="scope that lets a token act for any learner (unset: none can)"
    )
    jwt_leeway_s: int = Field(default=30, ge=0, le=300, description="clock skew allowed")

    @field_validator(
        "jwt_secret",
        "jwt_public_key",
        "jwt_jwks_file",
        "jwt_audience",
        "jwt_issuer",
        "jwt_service_scope",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        """An empty variable (a chart default) means unset."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _one_key_in_jwt_mode(self) -> Self:
        """jwt mode needs exactly one key source; a short HS256 secret is refused."""
        if self.auth_mode != "jwt":
            return self
        p = str(self.model_config.get("env_prefix", ""))
        given = [
            name
            for name, value in (
                ("JWT_SECRET", self.jwt_secret),
                ("JWT_PUBLIC_KEY", self.jwt_public_key),
                ("JWT_JWKS_FILE", self.jwt_jwks_file),
            )
            if value is not None
        ]
        if len(given) != 1:
            found = f"{len(given)} are set ({', '.join(p + g for g in given)})" if given else ""
            raise AuthConfigError(
                f"{p}AUTH_MODE=jwt needs exactly one key: {p}JWT_SECRET (HS256), "
                f"{p}JWT_PUBLIC_KEY (PEM, RS256/ES256) or {p}JWT_JWKS_FILE"
                + (f"; {found}" if found else "; none is set")
            )
        secret = self.jwt_secret.get_secret_value().encode() if self.jwt_secret else None
        if secret is not None and len(secret) < MIN_SECRET_BYTES:
            raise AuthConfigError(
                f"{p}JWT_SECRET is {len(secret)} bytes; HS256 needs at least {MIN_SECRET_BYTES}"
                " (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for: one learner, or any learner (a service token)."""

    learner: uuid.UUID | None
    service: bool = False

    def may_act_for(self, learner: uuid.UUID) -> bool:
        return self.service or self.learner == learner


class Unauthorized(HTTPException):
    """401 with an RFC 6750 challenge; ``reason`` is a fixed word for the metric."""

    def __init__(self, realm: str, reason: str, message: str, challenge: bool = True) -> None:
        header = f'Bearer realm="{realm}"'
        if challenge:
            header += f', error="invalid_token", error_description="{message}"'
        super().__init__(status.HTTP_401_UNAUTHORIZED, message, {"WWW-Authenticate": header})
        self.reason = reason


class TokenVerifier:
    """Verify a bearer token against the configured keys and turn it into a :class:`Principal`."""

    def __init__(self, settings: AuthSettings, realm: str) -> None:
        p = str(settings.model_config.get("env_prefix", ""))
        self.realm = realm
        self.keys: dict[str | None, VerificationKey]
        if settings.jwt_secret is not None:
            self.keys = {None: VerificationKey(settings.jwt_secret.get_secret_value(), "HS256")}
        elif settings.jwt_public_key is not None:
            self.keys = {None: public_key_entry(settings.jwt_public_key, f"{p}JWT_PUBLIC_KEY")}
        elif settings.jwt_jwks_file is not None:
            self.keys = jwks_entries(settings.jwt_jwks_file, f"{p}JWT_JWKS_FILE")
        else:
            raise AuthConfigError(f"{p}AUTH_MODE=jwt needs a key")
        self.audience = settings.jwt_audience
        self.issuer = settings.jwt_issuer
        self.leeway = settings.jwt_leeway_s
        self.user_claim = settings.jwt_user_claim
        self.service_claim = settings.jwt_service_claim
        self.service_scope = settings.jwt_service_scope
        self.required = ["exp"] + ["aud"] * bool(self.audience) + ["iss"] * bool(self.issuer)

    def refuse(self, reason: str, message: str) -> Unauthorized:
        return Unauthorized(self.realm, reason, message)

    def key_for(self, token: str) -> VerificationKey:
        """The key named by the token's ``kid`` (or the only key); never chosen by ``alg``."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise self.refuse("malformed", "Malformed bearer token") from None
        if len(self.keys) == 1 and (kid is None or None in self.keys):
            return next(iter(self.keys.values()))
        if not isinstance(kid, str) or kid not in self.keys:
            raise self.refuse("unknown_key", "Token signed with an unknown key id")
        return self.keys[kid]

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims, or 401 saying why (never echoing the token)."""
        entry = self.key_for(token)
        try:
            return jwt.decode(
                token,
                entry.key,
                algorithms=[entry.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": self.required},
            )
        except jwt.ExpiredSignatureError:
            raise self.refuse("expired", "Token expired") from None
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError):
            raise self.refuse("audience", "Token audience or issuer not accepted") from None
        except jwt.InvalidAlgorithmError:
            raise self.refuse(
                "algorithm", f"Token algorithm not accepted ({entry.algorithm} expected)"
            ) from None
        except jwt.InvalidSignatureError:
            raise self.refuse("signature", "Token signature is invalid") from None
        except jwt.MissingRequiredClaimError as exc:
            raise self.refuse("claims", f"Token lacks the {exc.claim} claim") from None
        except jwt.ImmatureSignatureError:
            raise self.refuse("claims", "Token not valid yet") from None
        except jwt.PyJWTError:
            raise self.refuse("malformed", "Malformed bearer token") from None

    def principal(self, token: str) -> Principal:
        """A service principal (configured scope) or a learner (UUID in the user claim)."""
        claims = self.claims(token)
        if self.service_scope and self.service_scope in scopes(claims.get(self.service_claim)):
            return Principal(None, service=True)
        raw = claims.get(self.user_claim)
        if isinstance(raw, str):
            try:
                return Principal(uuid.UUID(raw.strip()))
            except ValueError:
                pass
        raise self.refuse("claims", f"Token claim {self.user_claim} is not a learner id")


def scopes(value: Any) -> list[str]:
    """A scope claim as a list: space-separated string (RFC 8693) or a JSON list."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def install_auth(app: FastAPI, settings: AuthSettings, service: str) -> None:
    """Keep the verifier (``None`` in mode none) on ``app.state``; bad keys refuse start-up."""
    verifier = TokenVerifier(settings, service) if settings.auth_mode == "jwt" else None
    app.state.auth = verifier
    app.state.auth_service = service
    log.info("authentication: %s", settings.auth_mode)


bearer = HTTPBearer(
    auto_error=False,
    description="JWT; required when the service runs with <PREFIX>_AUTH_MODE=jwt",
)


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    """The caller, ``None`` in mode none; 401 for a missing or invalid token."""
    verifier: TokenVerifier | None = request.app.state.auth  # unset before start-up: fail closed
    if verifier is None:
        return None
    service = request.app.state.auth_service
    try:
        if credentials is None:
            if request.headers.get("authorization"):
                raise verifier.refuse("malformed", "Authorization header is not `Bearer <token>`")
            raise Unauthorized(verifier.realm, "missing", "Bearer token required", challenge=False)
        return verifier.principal(credentials.credentials)
    except Unauthorized as exc:
        AUTH_FAILURES.labels(service, exc.reason).inc()
        log.info("token refused: %s", exc.reason)
        raise


Caller = Annotated[Principal | None, Depends(authenticate)]


async def guard_learner(request: Request, caller: Caller) -> None:
    """403 when a learner token names another learner in the path or the JSON body.

    Reads the ``user_id`` path parameter or body field; the body is the one FastAPI already
    parsed (Starlette caches it on the request). An id that is not a UUID is left to the
    route, which refuses it (400) without reading anything.
    """
    if caller is None or caller.service:
        return
    raw = request.path_params.get("user_id")
    if raw is None and request.method in {"POST", "PUT", "PATCH"}:
        try:
            body = await request.json()
        except ValueError:
            return
        raw = body.get("user_id") if isinstance(body, dict) else None
    if not isinstance(raw, str):
        return
    try:
        learner = uuid.UUID(raw.strip())
    except ValueError:
        return
    if not caller.may_act_for(learner):
        AUTH_FAILURES.labels(request.app.state.auth_service, "other_learner").inc()
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN)


AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or invalid bearer token (auth mode jwt)"},
    403: {"description": "the token may not act for this learner (auth mode jwt)"},
}
LearnerGuard = Depends(guard_learner)
Authenticated = Depends(authenticate)
