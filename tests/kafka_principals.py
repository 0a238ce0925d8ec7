"""Kafka client options for one principal of a test stack: how tests act as a participant.

Why: the integration tests' own clients run as the provisioning superuser
(they create throw-away topics). A test about a participant's rights must
connect exactly as that participant would, with its own name and password
and the stack's CA, so the broker's verdict is about that principal.
"""

from typing import Any

from devstack.infra import Infrastructure


def as_principal(infra: Infrastructure, principal: str) -> dict[str, Any]:
    """aiokafka options to connect to ``infra``'s broker as ``principal``."""
    return infra.security(principal)
