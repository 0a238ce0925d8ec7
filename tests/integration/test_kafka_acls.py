"""The broker refuses what contracts/acl.py does not allow (issue 11), and allows what it does.

Each forbidden act is tried against the real devstack broker, as the
principal an attacker on the partner network would hold, and must be
refused by the broker itself: an authorization error, or no connection at
all without a valid principal. Positive cases show the same clients are
not simply broken: each participant can do its job (the end-to-end suite
shows it for every service, all of them running as their own principals).
"""

import asyncio
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
    TransactionalIdAuthorizationFailed,
)

from contracts import acl, topics
from devstack.infra import Infrastructure
from hubctl.acl import existing
from runtime.kafka_security import from_environment
from tests.kafka_principals import as_principal

SECURE_ONLY = "the development switch (KAFKA_SECURITY_PROTOCOL=PLAINTEXT) has no ACLs to test"


@pytest.fixture
def infra(infrastructure: Infrastructure) -> Infrastructure:
    """The session's stack; these tests are about its authenticated broker."""
    assert infrastructure.secure, SECURE_ONLY
    return infrastructure


async def _write(infra: Infrastructure, principal: str, topic: str, **extra: Any) -> None:
    """Publish one record to ``topic`` as ``principal`` and wait for the broker's answer."""
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.bootstrap_servers,
        request_timeout_ms=10_000,
        **as_principal(infra, principal),
        **extra,
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b'{"forged": true}', key=b"SUB-FORGED")
    finally:
        await producer.stop()


async def _read(infra: Infrastructure, principal: str, topic: str, group: str) -> None:
    """Join ``group`` on ``topic`` as ``principal`` and fetch once."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=infra.bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        **as_principal(infra, principal),
    )
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=2000)
    finally:
        await consumer.stop()


async def test_the_portal_cannot_write_an_agency_answer(infra):
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(infra, "portal", topics.VERIFICATION_COMPLETED)


async def test_an_integrator_cannot_write_a_decision(infra):
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(infra, "integrator", topics.REGISTRATION_DECIDED)


WRITERS_OF_MANUAL_DECISIONS = {"officer-desk", "gateway", "operator"}
"""The officer desk; the gateway for its officer HTTP endpoint; the operator re-driving one."""


@pytest.mark.parametrize(
    "principal",
    sorted(set(acl.principals()) - WRITERS_OF_MANUAL_DECISIONS - {acl.ADMIN}),
)
async def test_only_the_officer_desk_writes_manual_decisions(infra, principal):
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(infra, principal, topics.MANUAL_DECISION)


def test_the_writers_of_manual_decisions_are_the_declared_ones():
    declared = {
        g.principal
        for g in acl.grants()
        if g.name == topics.MANUAL_DECISION and g.operation is acl.Operation.WRITE
    }
    assert declared == WRITERS_OF_MANUAL_DECISIONS


async def test_the_officer_desk_can_write_a_manual_decision(infra):
    await _write(infra, "officer-desk", topics.MANUAL_DECISION)


async def test_the_gateway_can_write_a_customs_officer_act_and_the_portal_cannot(infra):
    await _write(infra, "gateway", topics.CUSTOMS_OFFICER_COMMAND)  # its officer HTTP endpoint
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(infra, "portal", topics.CUSTOMS_OFFICER_COMMAND)


async def test_an_adapter_cannot_ask_another_agency(infra):
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(infra, "adapter-oss", "insw.verification.npwp.requested.v1")


async def test_an_integrator_reads_decisions_but_not_submissions(infra):
    await _read(infra, "integrator", topics.REGISTRATION_DECIDED, f"integrator.{uuid.uuid4().hex}")
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(
            infra, "integrator", topics.REGISTRATION_SUBMITTED, f"integrator.{uuid.uuid4().hex}"
        )


async def test_an_integrator_cannot_join_a_hub_group(infra):
    with pytest.raises(GroupAuthorizationFailedError):
        await _read(infra, "integrator", topics.REGISTRATION_DECIDED, "insw-adapter-ceisa")


async def test_a_service_cannot_take_another_services_transactional_id(infra):
    with pytest.raises(TransactionalIdAuthorizationFailed):
        await _write(
            infra,
            "adapter-oss",
            topics.VERIFICATION_COMPLETED,
            transactional_id="insw-gateway.0.insw.registration.submitted.v1",
        )


async def test_a_client_without_a_principal_is_refused(infra):
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.bootstrap_servers, request_timeout_ms=3000
    )  # PLAINTEXT: no TLS, no SASL
    try:
        with pytest.raises((KafkaConnectionError, asyncio.TimeoutError)):
            await asyncio.wait_for(producer.start(), 15)
    finally:
        await producer.stop()


async def test_a_wrong_password_is_refused(infra):
    options = as_principal(infra, "portal") | {"sasl_plain_password": "not-the-password"}
    producer = AIOKafkaProducer(bootstrap_servers=infra.bootstrap_servers, **options)
    try:
        with pytest.raises((KafkaError, asyncio.TimeoutError)):
            await asyncio.wait_for(producer.start(), 15)
    finally:
        await producer.stop()


async def test_the_broker_holds_every_declared_acl(infra, bootstrap_servers):
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **from_environment())
    await admin.start()
    try:
        held = await existing(admin)
    finally:
        await admin.close()
    assert set(acl.grants()) <= held


def _act_as(monkeypatch, infra: Infrastructure, principal: str) -> None:
    """This test's own clients (hubctl reads the environment) connect as ``principal``."""
    for key, value in infra.principal_env(principal).items():
        monkeypatch.setenv(key, value)


def test_acl_apply_runs_as_admin_and_is_refused_to_anyone_else(infra, monkeypatch, capsys):
    from hubctl.__main__ import main

    assert main(["acl", "apply"]) == 0
    assert "ACLs in place" in capsys.readouterr().err
    _act_as(monkeypatch, infra, "operator")
    assert main(["acl", "apply"]) == 1
    assert "ClusterAuthorization" in capsys.readouterr().err


async def test_the_operator_copies_into_a_sandbox_but_creates_nothing_else(infra):
    admin = AIOKafkaAdminClient(
        bootstrap_servers=infra.bootstrap_servers, **as_principal(infra, "operator")
    )
    await admin.start()
    try:
        name = f"{acl.SANDBOX_PREFIX}t{uuid.uuid4().hex[:8]}.{topics.REGISTRATION_DECIDED}"
        created = await admin.create_topics([NewTopic(name, 1, 1)])
        assert [entry[1] for entry in created.topic_errors] == [0]
        refused = await admin.create_topics([NewTopic(f"not-a-sandbox.{uuid.uuid4().hex}", 1, 1)])
        assert [entry[1] for entry in refused.topic_errors] == [TopicAuthorizationFailedError.errno]
    finally:
        await admin.close()
    await _write(infra, "operator", name)
