"""Partner portals authenticate with one API key each, stored only as its SHA-256.

Why SHA-256 and not a slow hash: the keys are 256-bit random values the hub
issues (``python -m intake.portals NAME`` prints a new key and its hash), so
no dictionary attack applies and a fast hash keeps authentication cheap. A
leaked configuration holds hashes only. The request carries the key as
``Authorization: Bearer <key>``.
"""

import hashlib
import hmac
import secrets
import sys

SCHEME = "Bearer "


def key_hash(api_key: str) -> str:
    """The stored form of a portal's API key."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_api_key() -> str:
    """A fresh random API key for one portal."""
    return secrets.token_urlsafe(32)


class PortalKeys:
    """Which portal an ``Authorization`` header names, from portal id → key hash."""

    def __init__(self, hashes_by_portal: dict[str, str]) -> None:
        self._portal_by_hash = {h.lower(): portal for portal, h in hashes_by_portal.items()}

    def __len__(self) -> int:
        return len(self._portal_by_hash)

    def portal(self, authorization: str) -> str | None:
        """The portal id whose key ``authorization`` carries, or ``None``."""
        if not authorization.startswith(SCHEME):
            return None
        offered = key_hash(authorization[len(SCHEME) :].strip())
        for known, portal in self._portal_by_hash.items():
            if hmac.compare_digest(known, offered):
                return portal
        return None


def _main(argv: list[str]) -> int:
    """Print a new key for portal ``argv[0]`` and the setting that admits it."""
    if len(argv) != 1:
        print("usage: python -m intake.portals PORTAL_ID", file=sys.stderr)
        return 2
    api_key = new_api_key()
    print(f"API key for {argv[0]} (give it to the portal, keep it nowhere else): {api_key}")
    print(f'INTAKE_PORTAL_KEYS=\'{{"{argv[0]}": "{key_hash(api_key)}"}}\'')
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
