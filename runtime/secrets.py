"""Secrets a service starts with: refused when unset or well known, outside development.

Why: a service that quietly falls back to a default, a derived or a
published secret protects nothing, and nobody notices. So every secret is a
pydantic ``SecretStr`` (kept out of reprs and logs) and is read through
:func:`require`, which raises :class:`InsecureSecret` naming the variable
unless the service is told it runs on a developer's machine
(``HUB_ENV=development``). There, a fixed development value stands in, with a
warning; that value is public (it is computed here), so production refuses it.
"""

import base64
import hashlib
import logging
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from runtime.errors import HubError

log = logging.getLogger(__name__)

DEVELOPMENT = "development"
"""The value of ``HUB_ENV`` that lets a service start with development secrets."""

HOW_TO_FIX = (
    "set a generated one (`python -m devstack secrets` prints a full set), "
    "or HUB_ENV=development on a developer's machine"
)

PUBLISHED = frozenset(
    {
        # The DLQ_SEAL_KEY docker-compose.yml shipped before issue 12.
        "Zm9yLWRldmVsb3BtZW50LW9ubHktY2hhbmdlLW1lISE=",
    }
)


class InsecureSecret(HubError):
    """A secret is unset or well known, and the service does not run in development."""


def development_value(name: str) -> str:
    """The public stand-in for secret ``name`` in development; a valid Fernet key.

    Fixed, so that every process of a development stack agrees on it (one
    service seals what another opens).
    """
    digest = hashlib.sha256(f"insw-hub development secret\x1f{name}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def is_well_known(value: str, name: str) -> bool:
    """Whether ``value`` is published: a development stand-in or a key the repository shipped."""
    return value in PUBLISHED or value == development_value(name)


def require(
    name: str, value: SecretStr | None, *, development: bool, fallback: str | None = None
) -> str | None:
    """The secret's value; in development, ``fallback`` when it is unset.

    Raises :class:`InsecureSecret` when the value is unset or well known and
    ``development`` is false. ``fallback`` defaults to None (the caller then
    makes a throw-away secret of its own).
    """
    raw = value.get_secret_value().strip() if value is not None else ""
    parts = [part.strip() for part in raw.split(",")] if raw else []
    problem = (
        "is not set"
        if not raw
        else "is a well-known development value"
        if any(is_well_known(part, name) for part in parts)
        else ""
    )
    if not problem:
        return raw
    if not development:
        raise InsecureSecret(f"{name} {problem}: {HOW_TO_FIX}")
    log.warning("%s %s: acceptable in development only (HUB_ENV=%s)", name, problem, DEVELOPMENT)
    return raw or fallback


def require_redis_password(url: SecretStr, *, development: bool) -> str:
    """The Redis URL; refused without a password (Redis runs with ACL users) outside development."""
    raw = url.get_secret_value()
    if not urlsplit(raw).password and not raw.startswith("unix:"):
        if not development:
            raise InsecureSecret(f"REDIS_URL has no password: {HOW_TO_FIX}")
        log.warning("REDIS_URL has no password: acceptable in development only")
    return raw


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***``: what a log may show of it."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    user = f"{parts.username}:***@" if parts.username else ":***@"
    host = parts.hostname or ""
    netloc = f"{user}{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
