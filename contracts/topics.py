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

# Internal: every agency adapter answers on one topic keyed by submission id,
# so every answer for one submission lands on the same partition, hence the
# same gateway instance. Each agency's request topic is in its spec
# (contracts.agencies); every channel with its model is in contracts.channels.
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

# The trader's side of the customs process: commands in (JSON, from a portal),
# and the XML the hub sends customs for them (keyed by submission id).
TRADER_COMMAND: Final = "customs.trader-command.v1"
CEISA_TRADER: Final = "ceisa.trader.v1"

# A customs officer's acts (C13 manual registration, C14 Art. 40 approval), signed.
CUSTOMS_OFFICER_COMMAND: Final = "customs.officer-command.v1"

# The tamper-evident audit trail (issue 11): hash-chained per writer, signed.
AUDIT: Final = "insw.audit.v1"

DLQ_SUFFIX: Final = ".dlq"
RETRY_SUFFIX: Final = ".retry"


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
