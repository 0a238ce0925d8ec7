"""Kafka topic names: the public contract v1 and the hub's internal topics.

Names carry their major version (``.v1``): a breaking change is a new topic,
so consumers of v1 keep working while they migrate. Every consumed topic ``T``
has a dead-letter topic ``T.dlq``.
"""

from typing import Final

# Public contract: partner portals publish, customs and integrators consume.
REGISTRATION_SUBMITTED: Final = "insw.registration.submitted.v1"
REGISTRATION_DECIDED: Final = "insw.registration.decided.v1"
CEISA_REGISTRATION: Final = "ceisa.registration.v1"

# Internal: the gateway asks each agency adapter, the adapters answer on one
# topic keyed by submission id so every answer for one submission lands on the
# same partition, hence the same gateway instance.
NIB_VERIFICATION_REQUESTED: Final = "insw.verification.nib.requested.v1"
NPWP_VERIFICATION_REQUESTED: Final = "insw.verification.npwp.requested.v1"
NIK_VERIFICATION_REQUESTED: Final = "insw.verification.nik.requested.v1"
VERIFICATION_COMPLETED: Final = "insw.verification.completed.v1"

# Officers (R13): their decisions on referred applications, and deadline events.
MANUAL_DECISION: Final = "insw.registration.manual-decision.v1"
REFERRAL_DEADLINE: Final = "insw.referral.deadline.v1"

# Internal: the gateway asks the notifier to email the applicant about a decision.
NOTIFICATION_REQUESTED: Final = "insw.notification.requested.v1"

# Customs (PER-21/BC/2011): what CEISA answers about each application (XML),
# and the hub's view of it. The status topic is compacted: its latest record
# per submission id is the application's current customs status.
CEISA_RESPONSE: Final = "ceisa.response.v1"
CUSTOMS_APPLICATION_STATUS: Final = "customs.application.status.v1"
CUSTOMS_DEADLINE: Final = "customs.deadline.v1"

DLQ_SUFFIX: Final = ".dlq"
RETRY_SUFFIX: Final = ".retry"

CONSUMED: Final = (
    REGISTRATION_SUBMITTED,
    REGISTRATION_DECIDED,
    NIB_VERIFICATION_REQUESTED,
    NPWP_VERIFICATION_REQUESTED,
    NIK_VERIFICATION_REQUESTED,
    VERIFICATION_COMPLETED,
    NOTIFICATION_REQUESTED,
    MANUAL_DECISION,
    CEISA_RESPONSE,
)
"""Topics some hub service consumes; each has a dead-letter twin."""

PRODUCED_ONLY: Final = (
    CEISA_REGISTRATION,
    REFERRAL_DEADLINE,
    CUSTOMS_APPLICATION_STATUS,
    CUSTOMS_DEADLINE,
)

TOPIC_CONFIGS: Final[dict[str, dict[str, str]]] = {
    CUSTOMS_APPLICATION_STATUS: {"cleanup.policy": "compact"},
}
"""Topic-level configs to create topics with; every other topic takes the broker's defaults."""


def dead_letter_topic(topic: str) -> str:
    """Name of the dead-letter topic for ``topic`` (``T`` -> ``T.dlq``)."""
    return topic + DLQ_SUFFIX


def retry_topic(topic: str) -> str:
    """Name of the delayed-retry topic for ``topic`` (``T`` -> ``T.retry``)."""
    return topic + RETRY_SUFFIX


def original_topic(topic: str) -> str:
    """The consumed topic behind a retry or dead-letter topic (``T.retry`` -> ``T``)."""
    for suffix in (RETRY_SUFFIX, DLQ_SUFFIX):
        if topic.endswith(suffix):
            return topic[: -len(suffix)]
    return topic


def all_topics() -> tuple[str, ...]:
    """Every topic the hub needs, retry and dead-letter topics included, for provisioning."""
    return (
        CONSUMED
        + PRODUCED_ONLY
        + tuple(retry_topic(t) for t in CONSUMED)
        + tuple(dead_letter_topic(t) for t in CONSUMED)
    )
