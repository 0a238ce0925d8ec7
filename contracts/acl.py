"""Who may do what on the broker: one principal per participant, its ACLs derived from the channels.

Why here, once: the broker denies everything no ACL allows
(``allow.everyone.if.no.acl.found=false``), so this table *is* the hub's
authorization. A portal that could write ``insw.verification.completed.v1``
could approve an applicant no agency knows (issue 11); with this table the
broker refuses it. ``hubctl acl apply`` turns :func:`grants` into Kafka ACLs
(devstack and compose run it when a stack starts), SECURITY.md's matrix is
rendered from it by :func:`matrix` (a test fails on drift), and devstack
creates one SCRAM user per :data:`PARTICIPANTS` row.

Derived, not repeated: a service's consumer groups come from
:mod:`topology.services`, its retry (``T.retry``) and dead-letter
(``T.dlq``) topics from the channels it consumes, its transactional-id prefix
from its group (the runtime names transactional producers
``<group>.<instance>.<topic>``, and the retry consumer's group is
``<group>.retry``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

from contracts import topics
from contracts.agencies import AGENCIES, AgencySpec
from contracts.channels import (
    CEISA_REGISTRATION,
    CEISA_RESPONSE,
    CEISA_TRADER,
    CUSTOMS_APPLICATION_STATUS,
    CUSTOMS_DEADLINE,
    CUSTOMS_OFFICER_COMMAND,
    MANUAL_DECISION,
    NOTIFICATION_REQUESTED,
    REFERRAL_DEADLINE,
    REGISTRATION_DECIDED,
    REGISTRATION_SUBMITTED,
    TRADER_COMMAND,
    TRADER_NOTIFICATION_REQUESTED,
    VERIFICATION_COMPLETED,
    all_topics,
    request_channel,
)
from topology.services import Service, adapter_name, services

ADMIN = "admin"
"""The provisioning superuser: creates topics and ACLs (and is the broker's own principal)."""
SANDBOX_PREFIX = "sandbox."
"""``hubctl replay sandbox`` copies topics to ``sandbox.<name>.<topic>`` (hubctl checks it)."""
OPERATOR_PREFIX = "insw-hubctl-"
"""hubctl's own consumer groups and transactional ids start with this (re-drive progress)."""
INTEGRATOR_GROUP_PREFIX = "integrator."
"""An integrator's consumer groups: ``integrator.<anything>``."""
OFFICER_DESK_GROUP_PREFIX = "officer-desk."
"""The officers' tools' consumer groups: ``officer-desk.<anything>``."""
CLUSTER = "kafka-cluster"
"""The one name Kafka gives the cluster resource."""
AUDIT_TOPIC = "insw.audit.v1"
"""The audit trail (issue 11, part 7, another change): each writer appends to its own chain
and reads its chain's head back after a restart, so its writers also read it."""
AUDIT_WRITERS = frozenset({"gateway", "customs", "notifier"})


class ResourceType(IntEnum):
    """Kafka's resource type codes (``org.apache.kafka.common.resource.ResourceType``)."""

    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5


class Pattern(IntEnum):
    """Kafka's pattern type codes: a literal name or every name with the prefix."""

    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    """Kafka's ACL operation codes. READ and WRITE imply DESCRIBE on the same resource."""

    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8
    IDEMPOTENT_WRITE = 12


ALLOW = 3
"""Kafka's permission type code for ALLOW (nothing here denies: the default does)."""


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW ACL: ``User:<principal>`` may ``operation`` the resource, from any host."""

    principal: str
    resource: ResourceType
    name: str
    pattern: Pattern
    operation: Operation

    @property
    def user(self) -> str:
        """The principal as Kafka writes it."""
        return f"User:{self.principal}"


@dataclass(frozen=True)
class Participant:
    """A principal and what it does on the broker; its grants follow from these fields.

    ``service`` names the process of :mod:`topology.services` that runs as
    this principal: its consumer groups and transactional ids come from
    there. Outside participants (portal, integrator, officer desk, operator)
    have none and say their groups by prefix.
    """

    principal: str
    actor: str
    service: str | None = None
    consumes: tuple[str, ...] = ()
    """Topics it consumes in its service's groups, with the retry and dead-letter twins."""
    produces: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    """Topics it may read without being their hub consumer (no twins)."""
    read_prefixes: tuple[str, ...] = ()
    group_prefixes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    """Consumer groups besides its service's (literal names)."""
    transactional_prefixes: tuple[str, ...] = ()
    sandbox: bool = False
    """May create, write and read ``sandbox.*`` topics (hubctl replay sandbox)."""
    why: str = ""


def _service(name: str) -> Service:
    for service in services():
        if service.name == name:
            return service
    raise KeyError(f"no service {name!r} in topology.services")


def _adapter(spec: AgencySpec, principal: str) -> Participant:
    return Participant(
        principal,
        f"{spec.agency} adapter ({spec.check})",
        service=adapter_name(spec),
        consumes=(request_channel(spec).topic,),
        produces=(VERIFICATION_COMPLETED.topic,),
        why="answers only its own agency's question; reads nothing else",
    )


AGENCY_PRINCIPALS = {"NIB": "adapter-oss", "NPWP": "adapter-djp", "NIK": "adapter-dukcapil"}
"""The principal of each shipped agency's adapter, by check."""
PUBLIC_OUTPUTS = (
    REGISTRATION_DECIDED.topic,
    CEISA_REGISTRATION.topic,
    CUSTOMS_APPLICATION_STATUS.topic,
)
"""What an integrator may read: the public topics the hub writes (no personal data in them)."""
HUB_CONSUMED = tuple(
    c.topic
    for c in (
        REGISTRATION_SUBMITTED,
        VERIFICATION_COMPLETED,
        MANUAL_DECISION,
        NOTIFICATION_REQUESTED,
        REGISTRATION_DECIDED,
        CEISA_RESPONSE,
        TRADER_COMMAND,
        CUSTOMS_OFFICER_COMMAND,
        TRADER_NOTIFICATION_REQUESTED,
    )
) + tuple(request_channel(a).topic for a in AGENCIES)


def participants(agencies: Sequence[AgencySpec] = AGENCIES) -> tuple[Participant, ...]:
    """Every principal of the hub except the superuser, in the matrix's order."""
    return tuple(_with_audit(p) for p in _participants(agencies))


def _with_audit(participant: Participant) -> Participant:
    if participant.principal not in AUDIT_WRITERS:
        return participant
    return replace(
        participant,
        produces=(*participant.produces, AUDIT_TOPIC),
        reads=(*participant.reads, AUDIT_TOPIC),
    )


def _participants(agencies: Sequence[AgencySpec]) -> tuple[Participant, ...]:
    adapters = tuple(_adapter(a, AGENCY_PRINCIPALS.get(a.check, a.service)) for a in agencies)
    return (
        Participant(
            "gateway",
            "gateway (decides)",
            service="gateway",
            consumes=(
                REGISTRATION_SUBMITTED.topic,
                VERIFICATION_COMPLETED.topic,
                MANUAL_DECISION.topic,
            ),
            produces=(
                REGISTRATION_DECIDED.topic,
                *(a.request_topic for a in agencies),
                REFERRAL_DEADLINE.topic,
                NOTIFICATION_REQUESTED.topic,
                MANUAL_DECISION.topic,
                CUSTOMS_OFFICER_COMMAND.topic,
            ),
            why="writes manual decisions and customs officer acts only for its officer HTTP "
            "endpoint",
        ),
        *adapters,
        Participant(
            "adapter-ceisa",
            "CEISA adapter (decisions to customs XML)",
            service="adapters-ceisa",
            consumes=(REGISTRATION_DECIDED.topic,),
            produces=(CEISA_REGISTRATION.topic,),
        ),
        Participant(
            "notifier",
            "notifier (applicant emails)",
            service="notifier",
            consumes=(NOTIFICATION_REQUESTED.topic, TRADER_NOTIFICATION_REQUESTED.topic),
        ),
        Participant(
            "customs",
            "customs lifecycle",
            service="customs",
            consumes=(
                CEISA_RESPONSE.topic,
                TRADER_COMMAND.topic,
                CUSTOMS_OFFICER_COMMAND.topic,
            ),
            produces=(
                CUSTOMS_APPLICATION_STATUS.topic,
                CUSTOMS_DEADLINE.topic,
                CEISA_TRADER.topic,
                TRADER_NOTIFICATION_REQUESTED.topic,
            ),
        ),
        Participant(
            "intake",
            "HTTP intake",
            service="intake",
            produces=(REGISTRATION_SUBMITTED.topic,),
        ),
        Participant(
            "portal",
            "partner portal (outside)",
            produces=(REGISTRATION_SUBMITTED.topic, TRADER_COMMAND.topic),
            why="submits registrations and the trader's customs commands; reads nothing",
        ),
        Participant(
            "ceisa",
            "CEISA, the customs system (outside; its simulator locally)",
            service="simulator-ceisa",
            consumes=(CEISA_REGISTRATION.topic, CEISA_TRADER.topic),
            produces=(CEISA_RESPONSE.topic,),
        ),
        Participant(
            "integrator",
            "integrator (outside, read-only)",
            reads=PUBLIC_OUTPUTS,
            read_prefixes=(SANDBOX_PREFIX,),
            group_prefixes=(INTEGRATOR_GROUP_PREFIX,),
            why="reads public topics and sandbox copies; writes nothing",
        ),
        Participant(
            "officer-desk",
            "INSW officer desk (outside)",
            produces=(MANUAL_DECISION.topic, CUSTOMS_OFFICER_COMMAND.topic),
            reads=(REFERRAL_DEADLINE.topic,),
            group_prefixes=(OFFICER_DESK_GROUP_PREFIX,),
        ),
        Participant(
            "operator",
            "operator (hubctl dlq, replay)",
            produces=HUB_CONSUMED,
            reads=(*all_topics(), AUDIT_TOPIC),
            groups=tuple(sorted(_hub_groups())),
            group_prefixes=(OPERATOR_PREFIX,),
            transactional_prefixes=(OPERATOR_PREFIX,),
            sandbox=True,
            why="re-drives dead letters to their topic, moves stopped groups, copies to sandboxes",
        ),
    )


def _hub_groups() -> set[str]:
    """Every consumer group a hub service commits in, with its retry twin."""
    found: set[str] = set()
    for service in services():
        for group in service.groups:
            found |= {group, f"{group}.retry"}
    return found


def _consumed_twins(topic: str) -> tuple[str, str]:
    return topics.retry_topic(topic), topics.dead_letter_topic(topic)


def grants_of(participant: Participant) -> list[Grant]:
    """The ALLOW ACLs of one participant, without duplicates, sorted."""
    who = participant.principal
    found: set[Grant] = set()

    def topic(name: str, op: Operation, pattern: Pattern = Pattern.LITERAL) -> None:
        found.add(Grant(who, ResourceType.TOPIC, name, pattern, op))

    def group(name: str, pattern: Pattern = Pattern.LITERAL) -> None:
        found.add(Grant(who, ResourceType.GROUP, name, pattern, Operation.READ))

    def transactional(prefix: str) -> None:
        for op in (Operation.WRITE, Operation.DESCRIBE):
            found.add(Grant(who, ResourceType.TRANSACTIONAL_ID, prefix, Pattern.PREFIXED, op))

    service_groups = _service(participant.service).groups if participant.service else ()
    for name in service_groups:
        transactional(f"{name}.")
    groups = [*participant.groups, *(g for s in service_groups for g in (s, f"{s}.retry"))]
    for name in participant.consumes:
        topic(name, Operation.READ)
        for twin in _consumed_twins(name):
            topic(twin, Operation.WRITE)
        topic(topics.retry_topic(name), Operation.READ)
    for name in participant.produces:
        topic(name, Operation.WRITE)
    for name in participant.reads:
        topic(name, Operation.READ)
    for prefix in participant.read_prefixes:
        topic(prefix, Operation.READ, Pattern.PREFIXED)
    for name in groups:
        group(name)
    for prefix in participant.group_prefixes:
        group(prefix, Pattern.PREFIXED)
    for prefix in participant.transactional_prefixes:
        transactional(prefix)
    for op in (Operation.CREATE, Operation.WRITE, Operation.READ) if participant.sandbox else ():
        topic(SANDBOX_PREFIX, op, Pattern.PREFIXED)
    if participant.produces or participant.consumes or participant.sandbox:
        found.add(
            Grant(who, ResourceType.CLUSTER, CLUSTER, Pattern.LITERAL, Operation.IDEMPOTENT_WRITE)
        )
    return sorted(found)


def grants(agencies: Sequence[AgencySpec] = AGENCIES) -> list[Grant]:
    """Every ALLOW ACL of the hub (the superuser needs none)."""
    return [g for p in participants(agencies) for g in grants_of(p)]


def principals(agencies: Sequence[AgencySpec] = AGENCIES) -> tuple[str, ...]:
    """Every SCRAM user a stack creates: the superuser first, then each participant."""
    return (ADMIN, *(p.principal for p in participants(agencies)))


def principal_of_service(service: str) -> str | None:
    """The principal the topology's process ``service`` runs as (None: it uses no Kafka)."""
    for participant in participants():
        if participant.service == service:
            return participant.principal
    return None


def provisioned_topics(agencies: Sequence[AgencySpec] = AGENCIES) -> tuple[str, ...]:
    """Every topic a stack creates: the channels', and the twins of every topic anyone consumes.

    Why more than :func:`contracts.channels.all_topics`: CEISA (its
    simulator) consumes ``ceisa.registration.v1`` with the hub's runtime, so
    it parks failures on twins no hub service reads; nobody but the
    superuser may create topics, so they must exist beforehand.
    """
    found = list(all_topics())
    for participant in participants(agencies):
        for name in participant.consumes:
            found += _consumed_twins(name)
    return tuple(dict.fromkeys(found))


def _cell(participant: Participant, name: str) -> str:
    mine = [
        g for g in grants_of(participant) if g.resource is ResourceType.TOPIC and g.name == name
    ]
    ops = {g.operation for g in mine}
    return ("R" if Operation.READ in ops else "") + ("W" if Operation.WRITE in ops else "")


def matrix(agencies: Sequence[AgencySpec] = AGENCIES) -> str:
    """The ACL matrix as Markdown: topics down, principals across, R/W in the cells.

    Retry and dead-letter twins are folded into their topic (``+twins``
    when a principal consumes it: it reads ``T.retry`` and writes both
    twins); groups, transactional ids and prefixes follow the table.
    """
    people = participants(agencies)
    head = "| topic | " + " | ".join(f"`{p.principal}`" for p in people) + " |"
    rule = "|---|" + "---|" * len(people)
    rows = [head, rule]
    for name in _topics_in_order(people):
        cells = []
        for p in people:
            cell = _cell(p, name)
            if name in p.consumes:
                cell += "+twins"
            cells.append(cell or "·")
        rows.append(f"| `{name}` | " + " | ".join(cells) + " |")
    rows.append("")
    rows.append("| principal | actor | consumer groups | transactional ids | other |")
    rows.append("|---|---|---|---|---|")
    for p in people:
        mine = grants_of(p)
        groups = ", ".join(
            f"`{g.name}`" + ("*" if g.pattern is Pattern.PREFIXED else "")
            for g in mine
            if g.resource is ResourceType.GROUP
        )
        txn = ", ".join(
            f"`{g.name}`*"
            for g in mine
            if g.resource is ResourceType.TRANSACTIONAL_ID and g.operation is Operation.WRITE
        )
        other = [
            f"{g.operation.name} `{g.name}`" + ("*" if g.pattern is Pattern.PREFIXED else "")
            for g in mine
            if g.resource is ResourceType.TOPIC and g.pattern is Pattern.PREFIXED
        ]
        if any(g.resource is ResourceType.CLUSTER for g in mine):
            other.append("IDEMPOTENT_WRITE")
        if p.why:
            other.append(p.why)
        rows.append(
            f"| `{p.principal}` | {p.actor} | {groups or '·'} | {txn or '·'} | "
            f"{'; '.join(other) or '·'} |"
        )
    return "\n".join(rows) + "\n"


def _topics_in_order(people: Iterable[Participant]) -> list[str]:
    named: list[str] = []
    for p in people:
        named += [*p.consumes, *p.produces]
    base = [t for t in all_topics() if not t.endswith((topics.RETRY_SUFFIX, topics.DLQ_SUFFIX))]
    return list(dict.fromkeys([*base, *named]))
