"""docker-compose.cluster.yml: three brokers laid over docker-compose.yml, read without Docker.

The file is generated (drift fails here); its shape is checked as text; the
per-broker configuration ``kafka-init`` writes for it is checked file by file.
That those files make a working cluster is tests/integration/test_compose_cluster.py.
"""

import re
from pathlib import Path

import pytest
from cryptography import x509

from devstack.compose import render
from devstack.compose_cluster import render_cluster
from devstack.compose_kafka import HOSTS_VARIABLE, write
from devstack.infra import hub_principals, password_variable
from devstack.kafka import SINGLE, Replication, replication_from_environment
from topology.services import services

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "docker-compose.cluster.yml"
BROKERS = ("kafka", "kafka-2", "kafka-3")
ALL_THREE = "kafka:9092,kafka-2:9092,kafka-3:9092"


def _block(text: str, name: str) -> str:
    """The lines of top-level service ``name`` (up to the next service or top-level key)."""
    found = re.search(rf"\n  {re.escape(name)}:[ \n]", text)
    assert found is not None, f"no service {name}"
    start = found.start()
    end = re.search(r"\n(  [a-z][\w-]*:|[a-z]+:)", text[start + 1 :])
    return text[start : start + 1 + end.start()] if end else text[start:]


def _service_names(text: str) -> list[str]:
    body = text[text.index("\nservices:\n") : text.index("\nvolumes:\n")]
    return re.findall(r"^  ([a-z][\w-]*):", body, re.MULTILINE)


def test_the_committed_cluster_file_is_the_generated_one():
    assert CLUSTER.read_text() == render_cluster(3), (
        "docker-compose.cluster.yml drifted: "
        "run `python -m devstack compose --brokers 3 > docker-compose.cluster.yml`"
    )


def test_three_brokers_each_with_its_own_start_script_data_port_and_health_check():
    text = render_cluster(3)
    base = render()
    assert '"/kafka-config/kafka/start.sh"' in _block(base, "kafka")
    seen: dict[str, set[str]] = {"volume": set(), "port": set()}
    for n, name in enumerate(BROKERS, start=1):
        block = _block(base if name == "kafka" else text, name)
        assert f'entrypoint: ["/bin/sh", "/kafka-config/{name}/start.sh"]' in block
        assert f"--bootstrap-server {name}:9092" in block  # its own health, not another's
        assert "kafka-init:\n        condition: service_completed_successfully" in block
        assert f'"127.0.0.1:{n}9092:{n}9092"' in block
        seen["port"].add(f"{n}9092")
        volume = re.findall(r"- ([\w-]+):/var/lib/kafka/data", _block(text, name))
        assert volume == [f"cluster-{name}-data"], name
        seen["volume"].add(volume[0])
        assert f"\n  {volume[0]}: {{}}" in text[text.index("\nvolumes:") :]
    assert len(seen["volume"]) == len(seen["port"]) == 3
    # The lone broker's storage (formatted for a cluster of one) is not reused by the three.
    assert "- kafka-data:" not in text and "- kafka-data:" in _block(render(), "kafka")


def test_kafka_init_writes_for_all_three_and_topics_makes_three_copies_of_everything():
    text = render_cluster(3)
    assert f"{HOSTS_VARIABLE}: kafka,kafka-2,kafka-3" in _block(text, "kafka-init")
    topics = _block(text, "topics")
    assert f'KAFKA_BOOTSTRAP_SERVERS: "{ALL_THREE}"' in topics
    assert 'KAFKA_REPLICATION_FACTOR: "3"' in topics
    assert 'KAFKA_MIN_INSYNC_REPLICAS: "2"' in topics
    for name in BROKERS:
        assert f"      {name}:\n        condition: service_healthy" in topics


def test_every_kafka_client_of_the_base_file_bootstraps_from_all_three():
    base, text = render(), render_cluster(3)
    clients = [n for n in _service_names(base) if "KAFKA_BOOTSTRAP_SERVERS:" in _block(base, n)]
    assert {s.name for s in services() if s.kafka} <= set(clients)
    assert {"topics", "demo", "hubctl"} <= set(clients)
    for name in clients:
        assert f'KAFKA_BOOTSTRAP_SERVERS: "{ALL_THREE}"' in _block(text, name), name
    ui = _block(text, "kafka-ui")
    assert f'KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS: "{ALL_THREE}"' in ui
    # Services start after `topics`, which starts after all three brokers are healthy.
    for service in services():
        if service.kafka:
            assert "topics:\n        condition: service_completed_successfully" in _block(
                base, service.name
            )


def _passwords() -> dict[str, str]:
    return {password_variable(p): f"pw-{p}" for p in hub_principals()}


def _properties(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return dict(pairs)


def _sans(keystore: Path) -> set[str]:
    certificate = x509.load_pem_x509_certificates(keystore.read_bytes())[0]
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(value) for value in names.get_values_for_type(x509.DNSName)}


def test_kafka_init_writes_one_quorum_of_three_with_one_cluster_id_and_users(tmp_path):
    env = {**_passwords(), HOSTS_VARIABLE: "kafka,kafka-2,kafka-3"}
    write(tmp_path / "config", tmp_path / "ca", env)
    config = tmp_path / "config"
    props = {name: _properties(config / name / "server.properties") for name in BROKERS}
    assert [props[name]["node.id"] for name in BROKERS] == ["1", "2", "3"]
    voters = {p["controller.quorum.voters"] for p in props.values()}
    assert voters == {"1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093"}
    for n, name in enumerate(BROKERS, start=1):
        assert props[name]["advertised.listeners"] == (
            f"CLIENT://{name}:9092,HOST://127.0.0.1:{n}9092"
        )
        assert props[name]["default.replication.factor"] == "3"
        assert props[name]["min.insync.replicas"] == "2"
        assert props[name]["transaction.state.log.min.isr"] == "2"
        assert props[name]["offsets.topic.replication.factor"] == "3"
        assert props[name]["log.dirs"] == "/var/lib/kafka/data"
    scripts = {name: (config / name / "start.sh").read_text() for name in BROKERS}
    ids = {re.search(r" -t (\S+) ", s).group(1) for s in scripts.values()}  # type: ignore[union-attr]
    assert len(ids) == 1  # formatted apart, one cluster
    users = {tuple(re.findall(r"--add-scram '([^']+)'", s)) for s in scripts.values()}
    assert len(users) == 1 and len(next(iter(users))) == len(hub_principals())
    for name in BROKERS:
        assert f"-c {config / name / 'server.properties'} " in scripts[name]
    keystore = Path(props["kafka"]["ssl.keystore.location"])
    assert {p["ssl.keystore.location"] for p in props.values()} == {str(keystore)}
    assert set(BROKERS) <= _sans(keystore)
    assert (tmp_path / "ca" / "ca.pem").read_bytes() in keystore.read_bytes()


def test_kafka_init_without_the_variable_still_writes_the_one_broker(tmp_path):
    write(tmp_path / "config", tmp_path / "ca", _passwords())
    dirs = sorted(p.name for p in (tmp_path / "config").iterdir() if p.name != "tls")
    assert dirs == ["admin.properties", "kafka"]
    props = _properties(tmp_path / "config" / "kafka" / "server.properties")
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@kafka:9093"
    assert props["default.replication.factor"] == "1"
    assert "controller.quorum.election.timeout.ms" not in props


def test_the_topic_step_reads_its_replication_from_the_environment():
    assert replication_from_environment({}) == SINGLE
    assert replication_from_environment(
        {"KAFKA_REPLICATION_FACTOR": "3", "KAFKA_MIN_INSYNC_REPLICAS": "2"}
    ) == Replication(factor=3, min_insync=2)
    with pytest.raises(ValueError, match=r"min\.insync\.replicas"):
        replication_from_environment(
            {"KAFKA_REPLICATION_FACTOR": "1", "KAFKA_MIN_INSYNC_REPLICAS": "2"}
        )
