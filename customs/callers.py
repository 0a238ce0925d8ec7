"""Who reads a customs status over HTTP: an officer or integrator proven by the provider's JWT.

Why the officer token and not the trader's: the lifecycle service knows a
submission id, not which partner portal or trader it belongs to (the
registration reaches it through CEISA's answers only), so it cannot tell a
trader's own application from another's. Until ownership travels with the
application, a status is read with a token of the same provider and audience
as the gateway's officer API (issue 11) that grants the ``officer`` role or
the ``integrator`` role. Integrators may, because the Kafka ACL already lets
the ``integrator`` principal read every status on the compacted
``customs.application.status.v1``: HTTP shows them nothing Kafka does not.
A trader reads its status through its portal, which holds the ownership and
calls as an integrator.

The check is the gateway's (RS256 only, issuer, audience, expiry, required
claims), written against PyJWT here because a service never imports another
service (import-linter).
"""

from dataclasses import dataclass

import jwt

READER_ROLES = ("officer", "integrator")
"""Roles that may read a status: the officers, and integrators who may read the status topic."""
SIGNING_ALGORITHMS = ["RS256"]  # never "none" nor HMAC: no algorithm confusion
CLOCK_SKEW_SECONDS = 30


class CallerRefused(Exception):
    """No valid officer token: ``status`` (401 or 403) and the ``rule`` that failed."""

    def __init__(self, status: int, rule: str, detail: str) -> None:
        super().__init__(f"{rule}: {detail}")
        self.status, self.rule, self.detail = status, rule, detail


@dataclass(frozen=True)
class OfficerTokens:
    """Checks ``Authorization: Bearer`` headers against the provider's published keys."""

    issuer: str
    keys: jwt.PyJWKClient
    audience: str = "insw-officer-desk"

    @classmethod
    def of(
        cls, issuer: str, jwks_url: str | None = None, audience: str | None = None
    ) -> "OfficerTokens":
        """Tokens of ``issuer``, its keys at ``jwks_url`` (default: its well-known JWKS)."""
        url = jwks_url or issuer.rstrip("/") + "/.well-known/jwks.json"
        client = jwt.PyJWKClient(url, cache_keys=True, lifespan=300)
        return cls(issuer, client, audience or cls.audience)

    def subject(self, authorization: str | None) -> str:
        """The officer's subject, or :class:`CallerRefused`; blocking (a JWKS fetch)."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise CallerRefused(401, "TOKEN_MISSING", "Authorization: an officer's bearer token")
        try:
            signing = self.keys.get_signing_key_from_jwt(token.strip())
            claims = jwt.decode(
                token.strip(),
                signing.key,
                algorithms=SIGNING_ALGORITHMS,
                issuer=self.issuer,
                audience=self.audience,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["sub", "exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:  # names the failed check, never the token
            raise CallerRefused(401, "TOKEN_INVALID", type(error).__name__) from error
        roles = claims.get("roles")
        if not isinstance(roles, list) or not set(READER_ROLES) & set(roles):
            wanted = " or ".join(repr(role) for role in READER_ROLES)
            raise CallerRefused(403, "ROLE_MISSING", f"the token does not grant role {wanted}")
        return str(claims["sub"])
