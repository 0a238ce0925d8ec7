"""Who is asking: officers' bearer tokens from the INSW identity provider (issue 11).

Why: a manual decision closes an application for good, so the officer who
made it must be proven, not typed into a body. The identity provider signs a
JWT; the gateway checks it against the provider's published keys (JWKS,
fetched and cached by PyJWT's :class:`jwt.PyJWKClient`, refetched when a new
key id appears), then its issuer, audience, expiry and role. The officer id
is the token's subject and nothing else.

Errors::

    Refused (gateway.problems: status, rule, detail)
    └── AuthRefused
        ├── 401  TOKEN_MISSING, TOKEN_INVALID
        └── 403  ROLE_MISSING
"""

from collections.abc import Iterable
from dataclasses import dataclass

import jwt

from gateway.problems import Refused

ALGORITHMS = ("RS256",)
"""Only the asymmetric algorithm the provider signs with: never ``none`` nor HMAC,
so a public key can never be used as a shared secret (algorithm confusion)."""

ROLE_OFFICER = "officer"
"""May read the queue and decide referred applications (R13)."""
ROLE_SUPERVISOR = "supervisor"
"""May re-open a decided application (not served yet; see SECURITY.md)."""

LEEWAY_SECONDS = 30
"""Clock skew tolerated between the provider and the gateway."""


class AuthRefused(Refused):
    """The request is not from an officer allowed to do this; ``rule`` names why."""


@dataclass(frozen=True)
class Officer:
    """A verified caller: the token's subject and roles."""

    subject: str
    roles: frozenset[str]
    name: str = ""

    def require(self, role: str) -> "Officer":
        """This officer, or :class:`AuthRefused` (403) if the token lacks ``role``."""
        if role not in self.roles:
            raise AuthRefused(403, "ROLE_MISSING", f"the token does not grant role {role!r}")
        return self


@dataclass(frozen=True)
class IdentityProvider:
    """Where tokens come from and who they must be for."""

    issuer: str
    jwks_url: str
    audience: str = "insw-officer-desk"


class TokenVerifier:
    """Verifies officers' JWTs against the provider's JWKS."""

    def __init__(self, provider: IdentityProvider, jwks: jwt.PyJWKClient | None = None) -> None:
        self.provider = provider
        self._jwks = jwks or jwt.PyJWKClient(provider.jwks_url, cache_keys=True, lifespan=300)

    def verify(self, token: str | None) -> Officer:
        """The officer ``token`` proves, or :class:`AuthRefused` naming the failed check.

        Blocking (a JWKS fetch on a new key id); call it from a thread in async code.
        """
        if not token:
            raise AuthRefused(401, "TOKEN_MISSING", "an officer's bearer token is required")
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(ALGORITHMS),
                audience=self.provider.audience,
                issuer=self.provider.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWKClientConnectionError as error:
            unreachable = "the identity provider's keys are unreachable"
            raise AuthRefused(401, "TOKEN_INVALID", unreachable) from error
        except jwt.PyJWTError as error:
            # The library's message names the failed check (expired, audience ...), never the token.
            raise AuthRefused(401, "TOKEN_INVALID", str(error)) from error
        return Officer(
            subject=str(claims["sub"]),
            roles=frozenset(_roles(claims.get("roles", ()))),
            name=str(claims.get("name", "")),
        )


def _roles(value: object) -> Iterable[str]:
    """The ``roles`` claim as strings; anything but a list grants nothing."""
    return [str(role) for role in value] if isinstance(value, list) else []


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header, ``None`` otherwise."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
