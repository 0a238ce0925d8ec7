"""The customs lifecycle service on real Kafka and Redis: idempotency, XML attacks, compaction."""

import asyncio
import threading
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from pydantic import SecretStr
from redis.asyncio import Redis

from contracts import headers as h
from contracts import signers, topics
from contracts.customs import CustomsApplicationStatus
from customs.handler import Lifecycle
from customs.store_redis import RedisCustomsStore
from runtime.kafka_security import from_environment
from runtime.service import HubService
from runtime.settings import InfraSettings
from simulators.ceisa.documents import render
from simulators.ceisa.script import Application, Scenario, story
from tests.kafka_io import collect, produce


class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "LEAKED">')

    def log_message(self, *args: object) -> None:
        pass


async def test_redelivered_messages_change_nothing_and_an_xml_attack_lands_on_the_dlq_unread(
    infrastructure, bootstrap_servers, redis_url, topic_prefix, tmp_path
):
    marker = tmp_path / "marker.txt"
    marker.write_text("MARKER-SECRET")
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dtd_url = f"http://127.0.0.1:{server.server_port}/evil.dtd"
    attacks = [
        f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{dtd_url}"><ProofOfEntry '
        f'xmlns="urn:insw:ceisa:proof-of-entry:v1">&leak;</ProofOfEntry>'.encode(),
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{marker}">]>'
        f'<ProofOfEntry xmlns="urn:insw:ceisa:proof-of-entry:v1">&x;</ProofOfEntry>'.encode(),
    ]
    inbound, status_topic = f"{topic_prefix}.ceisa", f"{topic_prefix}.status"
    sid = f"SUB-{topic_prefix[-10:]}"
    steps = story(Scenario.ACCEPT, Application(f"REG-{sid}", sid, ("IMPORTIR",)), date(2026, 3, 19))
    documents = [render(step, datetime.now(UTC)) for step in steps]

    # The lifecycle writes audit entries to the shared audit topic: signed, as in production.
    key = infrastructure.signing_keys[signers.CUSTOMS].secret_text()
    settings = InfraSettings(hub_signing_key=SecretStr(key))
    redis = Redis.from_url(redis_url)
    service = HubService(settings, name=f"{topic_prefix}.group", signer=signers.CUSTOMS)
    store = RedisCustomsStore(redis, prefix=topic_prefix)
    service.subscribe(
        inbound,
        handler=Lifecycle(store, status_topic=status_topic).on_responses,
        description="test",
    )
    await service.start()
    try:
        key = sid.encode()
        first = [(key, d, [(h.MESSAGE_ID, f"m{i}".encode())]) for i, d in enumerate(documents)]
        # every document twice (a producer retry, a replay), the attacks in between
        await produce(bootstrap_servers, inbound, first + [(key, a, []) for a in attacks] + first)
        dlq = topics.dead_letter_topic(inbound)
        await collect(
            bootstrap_servers,
            [status_topic, dlq],
            lambda rs: (
                sum(r.topic == dlq for r in rs) >= 2
                and sum(r.topic == status_topic for r in rs) >= 3
            ),
            timeout=30,
        )
        await asyncio.sleep(1.0)  # let the redelivered half be handled too
        found = await collect(bootstrap_servers, [status_topic, dlq], lambda rs: False, timeout=2)
    finally:
        await service.stop()
    statuses = [
        CustomsApplicationStatus.model_validate_json(r.value)
        for r in found
        if r.topic == status_topic
    ]
    assert [(s.stage, s.version) for s in statuses] == [
        ("ENTERED", 1),
        ("RECEIPTED", 2),
        ("ACCEPTED", 3),
    ]
    [record] = await store.load([sid])
    await redis.aclose()
    assert record is not None and record.version == 3 and record.app.customs_id
    dead = [r for r in found if r.topic == topics.dead_letter_topic(inbound)]
    assert len(dead) == 2
    for letter in dead:
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers[h.DLQ_EXCEPTION_MESSAGE] == "ceisa document refused: DTD_FORBIDDEN"
        assert headers[h.DLQ_SEALED] and letter.value not in attacks  # the value is sealed
        assert settings.dead_letter_seal().open(letter.value) in attacks
        assert "MARKER-SECRET" not in str(letter.headers)
    server.shutdown()
    assert _Recorder.hits == []  # the external DTD was never fetched


async def test_the_status_topic_is_created_compacted(bootstrap_servers):
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **from_environment())
    await admin.start()
    try:
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topics.CUSTOMS_APPLICATION_STATUS)]
        )
    finally:
        await admin.close()
    configs = {entry[0]: entry[1] for entry in response.resources[0][4]}
    assert configs["cleanup.policy"] == "compact"
