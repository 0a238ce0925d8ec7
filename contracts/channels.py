"""Channels: one row per Kafka topic the hub uses, with its model, schema id and content type.

Why one table: a topic's name, the model its values follow, the
``insw-schema`` header producers stamp on it and the content type used to
be spelled in every module that read or wrote it. Now services subscribe to
a :class:`Channel` (the runtime decodes with its model) and publish with
``Outbound.of(channel, ...)`` (the runtime sets every header from it), and the
AsyncAPI document is a loop over :func:`channels`.

The agencies' request channels come from the agency specs
(:mod:`contracts.agencies`), so a new agency needs no row here.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, TypeAdapter

from contracts import signers, topics
from contracts.agencies import SHIPPED, Agencies, AgencySpec
from contracts.audit import AuditEntry
from contracts.customs import CustomsApplicationStatus, CustomsDeadline, TraderCommand
from contracts.customs_officer import OfficerCommand
from contracts.decision import RegistrationDecided
from contracts.notification import NotificationRequested
from contracts.referral import ManualDecision, ReferralDeadline
from contracts.registration import RegistrationSubmitted
from contracts.verification import VerificationCompleted, VerificationRequested
from contracts.xsd import CEISA_REGISTRATION_V1

JSON = "application/json"
XML = "application/xml"


class Audience(StrEnum):
    """Who may rely on a channel: public contract, or internal to the hub."""

    PUBLIC = "Public"
    INTERNAL = "Internal"


@dataclass(frozen=True)
class Channel:
    """One topic: what travels on it and how it is labelled.

    ``model`` is ``None`` for XML channels (validated against their XSDs
    instead). ``hub_consumes`` marks topics some hub service reads, which
    therefore have retry and dead-letter twins.
    """

    topic: str
    model: Any
    schema_id: str
    description: str
    content_type: str = JSON
    hub_consumes: bool = False
    action: str = "send"
    """AsyncAPI's view from the hub: ``receive`` for what outsiders write to it."""
    configs: dict[str, str] = field(default_factory=dict)
    signers: frozenset[str] = frozenset()
    """Who may write it: a record must carry a valid signature by one of these signers.

    Empty: unsigned. The runtime verifies before anything else reads the
    record (:func:`runtime.signing.verified`) and dead-letters the rest with
    ``SIGNATURE_INVALID``; producers sign at commit (:mod:`runtime.signing`).
    """

    @property
    def signed(self) -> bool:
        """Whether records on this channel must be signed."""
        return bool(self.signers)

    @cached_property
    def adapter(self) -> TypeAdapter[Any]:
        """A validator for ``model`` (built once per channel)."""
        return TypeAdapter(self.model)

    def decode(self, value: bytes) -> Any:
        """Parse a JSON value with the channel's model (raises pydantic's ValidationError)."""
        if isinstance(self.model, type) and issubclass(self.model, BaseModel):
            return self.model.model_validate_json(value)
        return self.adapter.validate_json(value)

    @property
    def retried(self) -> bool:
        """Whether the channel has ``.retry`` and ``.dlq`` twins (some hub service reads it)."""
        return self.hub_consumes


def _schema(topic: str) -> str:
    """The ``insw-schema`` value of a topic: its name without the version, then ``/v1``."""
    name, _, version = topic.rpartition(".")
    return f"{name}/{version}"


def _channel(topic: str, model: Any, description: str, **kwargs: Any) -> Channel:
    return Channel(topic, model, _schema(topic), description, **kwargs)


REGISTRATION_SUBMITTED = _channel(
    topics.REGISTRATION_SUBMITTED,
    RegistrationSubmitted,
    "Public. One message per application from a partner portal, keyed by submission id. "
    "The Surat Kuasa travels by reference (document id and SHA-256), never inline.",
    hub_consumes=True,
    action="receive",
)
REGISTRATION_DECIDED = _channel(
    topics.REGISTRATION_DECIDED,
    RegistrationDecided,
    "Public. The one decision per submission, keyed by submission id. decision_id is "
    "stable across redelivery: consumers drop repeats by it.",
    hub_consumes=True,
)
CEISA_REGISTRATION = _channel(
    topics.CEISA_REGISTRATION,
    None,
    f"Public. XML for customs (CEISA), one per approved decision, valid against "
    f"schemas/xsd/{CEISA_REGISTRATION_V1}; keyed by submission id.",
    content_type=XML,
)
VERIFICATION_REQUESTED_SCHEMA = "insw.verification.requested/v1"
"""Every agency's request channel carries the same model under this schema id."""
VERIFICATION_COMPLETED = _channel(
    topics.VERIFICATION_COMPLETED,
    VerificationCompleted,
    "Internal. Every adapter's answer, keyed by submission id so one gateway instance "
    "sees all answers of one submission; a union keyed by check, one member per agency.",
    hub_consumes=True,
    action="receive",
    signers=SHIPPED.signers(),
)
MANUAL_DECISION = _channel(
    topics.MANUAL_DECISION,
    ManualDecision,
    "Officers' decisions on referred applications (R13), keyed by submission id; also "
    "accepted over HTTP by the gateway's officer endpoint.",
    hub_consumes=True,
    action="receive",
    signers=frozenset({signers.OFFICER_DESK, signers.GATEWAY}),
)
REFERRAL_DEADLINE = _channel(
    topics.REFERRAL_DEADLINE,
    ReferralDeadline,
    "The 24-hour promise (R13): a WARNING before a referred application's deadline and "
    "an OVERDUE event when it passes, keyed by submission id.",
)
NOTIFICATION_REQUESTED = _channel(
    topics.NOTIFICATION_REQUESTED,
    NotificationRequested,
    "Internal. The gateway asks the notifier to email the applicant about a decision; "
    "decision_id is the idempotency key. Carries personal data in the value only.",
    hub_consumes=True,
    signers=frozenset({signers.GATEWAY}),
)
CEISA_RESPONSE = _channel(
    topics.CEISA_RESPONSE,
    None,
    "Public. XML from customs (CEISA) about an application, keyed by submission id: proof "
    "of entry, TTP-RK, additional documents request, acceptance, rejection, return receipt, "
    "blocking, unblocking, unblock refusal, revocation, data-change receipt and outcome; "
    "each valid against schemas/xsd/ceisa/v1/<message>.xsd. Read with the hardened reader; "
    "anything refused, and any transition PER-21 does not allow, is dead-lettered with the "
    "reason.",
    content_type=XML,
    hub_consumes=True,
    action="receive",
    signers=frozenset({signers.CEISA}),
)
CUSTOMS_APPLICATION_STATUS = _channel(
    topics.CUSTOMS_APPLICATION_STATUS,
    CustomsApplicationStatus,
    "Public. Compacted (cleanup.policy=compact): the customs status of an application after "
    "every change customs reported, keyed by submission id; the latest record per key is "
    "the current status. version counts the customs messages applied.",
    configs={"cleanup.policy": "compact"},
)
CUSTOMS_DEADLINE = _channel(
    topics.CUSTOMS_DEADLINE,
    CustomsDeadline,
    "A PER-21 deadline (C3, C6, C7, C14, C10, C11; working days per C16, calendar where "
    "Art. 30 and 35 say so) of an application is "
    "APPROACHING or has PASSED, each once, keyed by submission id.",
)

TRADER_COMMAND = _channel(
    topics.TRADER_COMMAND,
    TraderCommand,
    "Public. What the trader does in the customs process, keyed by submission id: deliver "
    "the Art. 6 supporting documents (C3), answer an additional-documents request (C6), "
    "notify a data change (C10), apply to unblock (C11), reapply after a return or rejection "
    "(C3/C9: a new attempt). command_id is the idempotency key; "
    "documents travel by reference. A command the application's state does not allow is "
    "dead-lettered with its code and rule.",
    hub_consumes=True,
    action="receive",
)
CEISA_TRADER = _channel(
    topics.CEISA_TRADER,
    None,
    "Public. XML for customs (CEISA) on the trader's behalf, keyed by submission id: "
    "supporting-documents, additional-documents-reply, data-change-notification, "
    "unblock-application, reapplication (one MessageId per attempt), manual-receipt (C13, "
    "for an officer); each valid against schemas/xsd/ceisa/v1/<message>.xsd.",
    content_type=XML,
)
CUSTOMS_OFFICER_COMMAND = _channel(
    topics.CUSTOMS_OFFICER_COMMAND,
    OfficerCommand,
    "Public. What a customs officer records, keyed by submission id: an exporter's manual "
    "registration at the office (C13; the hub sends the Attachment V manual-receipt on "
    "ceisa.trader.v1 and opens the 1-working-day clock) and the head of office's approval "
    "of one import notification without a customs id (C14, Art. 40). Signed by the "
    "officers' desk or the gateway; refused acts are dead-lettered with code and rule.",
    hub_consumes=True,
    action="receive",
    signers=frozenset({signers.OFFICER_DESK, signers.GATEWAY}),
)
AUDIT = _channel(
    topics.AUDIT,
    AuditEntry,
    "The tamper-evident audit trail (issue 11): every event that can change an outcome "
    "(agency answer accepted, officer action, decision, customs response), keyed by its "
    "writer's chain id; each entry names the SHA-256 of its chain's previous entry and is "
    "signed by its writer. `hubctl audit verify` proves a range unaltered.",
    signers=frozenset({signers.GATEWAY, signers.CUSTOMS, signers.OFFICER_DESK, signers.NOTIFIER}),
)


def request_channel(spec: AgencySpec) -> Channel:
    """The channel on which the gateway asks ``spec``'s agency."""
    return Channel(
        spec.request_topic,
        VerificationRequested,
        VERIFICATION_REQUESTED_SCHEMA,
        f"Internal. The gateway asks the {spec.agency} adapter about the {spec.check} "
        f"({spec.field}).",
        hub_consumes=True,
    )


def channels(agencies: Agencies = SHIPPED) -> tuple[Channel, ...]:
    """Every channel of the hub, agencies' request channels included, in document order."""
    return (
        REGISTRATION_SUBMITTED,
        REGISTRATION_DECIDED,
        CEISA_REGISTRATION,
        *(request_channel(spec) for spec in agencies.specs),
        MANUAL_DECISION,
        REFERRAL_DEADLINE,
        NOTIFICATION_REQUESTED,
        VERIFICATION_COMPLETED,
        CEISA_RESPONSE,
        CUSTOMS_APPLICATION_STATUS,
        CUSTOMS_DEADLINE,
        TRADER_COMMAND,
        CEISA_TRADER,
        AUDIT,
        CUSTOMS_OFFICER_COMMAND,
    )


def by_topic(agencies: Agencies = SHIPPED) -> dict[str, Channel]:
    """The channels by topic name."""
    return {channel.topic: channel for channel in channels(agencies)}


def all_topics(agencies: Agencies = SHIPPED) -> tuple[str, ...]:
    """Every topic the hub needs, retry and dead-letter twins included, for provisioning."""
    found = channels(agencies)
    retried = [c.topic for c in found if c.retried]
    return (
        tuple(c.topic for c in found)
        + tuple(topics.retry_topic(t) for t in retried)
        + tuple(topics.dead_letter_topic(t) for t in retried)
    )


def topic_configs(found: Iterable[Channel] | None = None) -> dict[str, dict[str, str]]:
    """Topic-level configs to create topics with; every other topic takes the broker's."""
    return {c.topic: dict(c.configs) for c in (found or channels()) if c.configs}
