"""The ACL declaration (contracts/acl.py), the client options and SECURITY.md agree.

Why unit tests beside the broker's: the broker proves a forbidden write is
refused (tests/integration/test_kafka_acls.py); these pin what the
declaration says, so a change to it shows up as a diff someone reviews, and
SECURITY.md's matrix cannot drift from what is applied.
"""

from pathlib import Path

import pytest
from pydantic import SecretStr

from contracts import acl, topics
from contracts.channels import channels
from hubctl.dlq_progress import REDRIVE_GROUP
from hubctl.replay_sandbox import SANDBOX_PREFIX
from runtime.kafka_security import InsecureKafka, KafkaSecurity, client_options
from topology.services import services

SECURITY_MD = Path(__file__).resolve().parents[2] / "SECURITY.md"
BEGIN, END = "<!-- acl-matrix:begin -->", "<!-- acl-matrix:end -->"


def _writers(topic: str) -> set[str]:
    return {
        g.principal
        for g in acl.grants()
        if g.resource is acl.ResourceType.TOPIC
        and g.name == topic
        and g.operation is acl.Operation.WRITE
    }


def test_security_md_shows_the_declared_matrix():
    text = SECURITY_MD.read_text()
    shown = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert shown == acl.matrix().strip(), (
        "SECURITY.md's ACL matrix drifted: paste `./hub ctl acl show` between the markers"
    )


def test_every_kafka_service_of_the_topology_has_its_own_principal():
    kafka_services = [s.name for s in services() if s.kafka]
    principals = [acl.principal_of_service(name) for name in kafka_services]
    assert None not in principals
    assert len(set(principals)) == len(principals)


def test_only_adapters_write_agency_answers():
    assert _writers(topics.VERIFICATION_COMPLETED) == {
        "adapter-oss",
        "adapter-djp",
        "adapter-dukcapil",
        "operator",  # re-driving a dead-lettered answer
    }


def test_the_integrator_writes_nothing_and_the_portal_only_submissions_and_trader_commands():
    integrator = [g for g in acl.grants() if g.principal == "integrator"]
    assert {g.operation for g in integrator} == {acl.Operation.READ}
    portal = [g for g in acl.grants() if g.principal == "portal"]
    assert {(g.name, g.operation) for g in portal} == {
        (topics.REGISTRATION_SUBMITTED, acl.Operation.WRITE),
        (topics.TRADER_COMMAND, acl.Operation.WRITE),
        (acl.CLUSTER, acl.Operation.IDEMPOTENT_WRITE),
    }


def test_every_consumer_can_park_and_dead_letter_what_it_reads():
    for participant in acl.participants():
        for topic in participant.consumes:
            mine = {(g.name, g.operation) for g in acl.grants_of(participant)}
            assert (topics.retry_topic(topic), acl.Operation.READ) in mine
            assert (topics.retry_topic(topic), acl.Operation.WRITE) in mine
            assert (topics.dead_letter_topic(topic), acl.Operation.WRITE) in mine


def test_transactional_ids_and_groups_follow_the_runtime_s_names():
    gateway = acl.grants_of(next(p for p in acl.participants() if p.principal == "gateway"))
    txn = [g for g in gateway if g.resource is acl.ResourceType.TRANSACTIONAL_ID]
    # runtime.service: <group>.<HUB_INSTANCE_ID>.<topic>, retry group <group>.retry
    assert {g.name for g in txn} == {"insw-gateway."}
    assert all(g.pattern is acl.Pattern.PREFIXED for g in txn)
    groups = {g.name for g in gateway if g.resource is acl.ResourceType.GROUP}
    assert groups == {"insw-gateway", "insw-gateway.retry"}


def test_hubctl_s_names_are_inside_the_operator_s_prefixes():
    assert REDRIVE_GROUP.startswith(acl.OPERATOR_PREFIX)
    assert SANDBOX_PREFIX == acl.SANDBOX_PREFIX


def test_every_channel_is_provisioned():
    provisioned = set(acl.provisioned_topics())
    assert {c.topic for c in channels()} <= provisioned


def test_plaintext_is_refused_for_a_broker_that_is_not_on_loopback():
    with pytest.raises(InsecureKafka, match="PLAINTEXT"):
        client_options(
            KafkaSecurity(
                kafka_bootstrap_servers="127.0.0.1:9092,broker.example:9092",
                kafka_security_protocol="PLAINTEXT",
            )
        )
    local = KafkaSecurity(
        kafka_bootstrap_servers="localhost:9092", kafka_security_protocol="PLAINTEXT"
    )
    assert client_options(local) == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_without_a_principal_is_refused():
    with pytest.raises(InsecureKafka, match="KAFKA_SASL_USERNAME"):
        client_options(KafkaSecurity(kafka_sasl_username="gateway", kafka_sasl_password=None))


def test_sasl_ssl_options_name_the_principal_and_verify_the_broker():
    options = client_options(
        KafkaSecurity(
            kafka_sasl_username="gateway",
            kafka_sasl_password=SecretStr("pw"),
            kafka_ca_file=None,  # the system's trust store, whatever the environment says
        )
    )
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "gateway"
    assert options["ssl_context"].check_hostname is True


def test_every_channel_has_a_declared_writer_and_every_consumed_one_a_reader():
    """A new channel without a row in contracts/acl.py is refused by the broker at run time."""
    writers = {c.topic: _writers(c.topic) - {"operator"} for c in channels()}
    assert {topic for topic, who in writers.items() if not who} == set(), (
        "declare who writes these in contracts/acl.py (participants())"
    )
    read = {
        g.name
        for g in acl.grants()
        if g.operation is acl.Operation.READ and g.principal != "operator"
    }
    unread = {c.topic for c in channels() if c.hub_consumes and c.topic not in read}
    assert unread == set(), "declare which participant consumes these in contracts/acl.py"


def test_customs_officer_acts_are_written_by_the_desk_the_gateway_and_the_operator():
    # the gateway for its officer HTTP endpoint (C13, C14), the operator re-driving a dead letter
    assert _writers(topics.CUSTOMS_OFFICER_COMMAND) == {"officer-desk", "gateway", "operator"}
