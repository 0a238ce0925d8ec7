"""docker-compose.yml is generated from the topology; the committed file must not drift."""

import re
import socket
import tomllib
from pathlib import Path

from contracts.agencies import AGENCIES
from devstack.compose import IMAGE, depends_on, render
from runtime.settings import InfraSettings, instance_id_of_host
from topology.services import adapter_name, services, simulator_name

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_the_committed_compose_file_is_the_generated_one():
    assert COMPOSE.read_text() == render(), (
        "docker-compose.yml drifted from topology/services.py: "
        "run `python -m devstack compose > docker-compose.yml`"
    )


def test_every_service_of_the_topology_is_a_compose_service():
    text = render()
    for service in services():
        assert f"\n  {service.name}:\n" in text


def test_an_adapter_finds_its_agency_by_the_simulator_s_compose_name():
    assert 'OSS_BASE_URL: "http://simulator-oss:8101"' in render()


# --- issue 14: a compose file that works, read without Docker ---------------------------------

ROOT = COMPOSE.parent


def _block(text: str, name: str) -> str:
    """The lines of top-level service ``name`` (up to the next service)."""
    start = text.index(f"\n  {name}:")
    end = re.search(r"\n  [a-z][\w-]*:", text[start + 1 :])
    return text[start : start + 1 + end.start()] if end else text[start:]


def test_one_image_is_built_once_and_every_hub_service_reuses_it():
    text = render()
    assert len(re.findall(r"^\s+build:", text, re.MULTILINE)) == 1
    assert f"image: {IMAGE}" in _block(text, "kafka-init")
    assert "build: ." in _block(text, "kafka-init")
    anchor = text[text.index("x-hub: &hub") : text.index("\nservices:")]
    assert f"image: {IMAGE}" in anchor and "pull_policy: never" in anchor
    for service in services():
        assert "<<: *hub" in _block(text, service.name)


def test_the_mailbox_s_smtp_server_is_in_what_the_image_installs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    install = re.search(
        r'pip install --no-cache-dir --no-deps "\.\[([\w-]+)\]"', (ROOT / "Dockerfile").read_text()
    )
    assert install is not None, "the Dockerfile installs the checkout with one extra"
    image_deps = project["dependencies"] + extras[install.group(1)]
    assert any(dep.startswith("aiosmtpd==") for dep in image_deps)
    assert not any(dep.startswith("aiosmtpd") for dep in extras["dev"])  # one pin, not two


def test_redis_is_a_current_release():
    image = re.search(r"image: redis:([\d.]+)", render())
    assert image is not None
    major, minor = (int(part) for part in image.group(1).split(".")[:2])
    assert (major, minor) >= (7, 4)


def test_the_example_surat_kuasa_is_seeded_before_anything_decides():
    text = render()
    seed = _block(text, "seed")
    assert '["python", "-m", "devstack", "seed"]' in seed
    assert "redis:\n        condition: service_healthy" in seed
    for service in services():
        if service.redis:
            assert "seed:\n        condition: service_completed_successfully" in _block(
                text, service.name
            ), service.name
    assert "seed:\n        condition: service_completed_successfully" in _block(text, "demo")


def test_every_http_listener_is_health_checked_and_callers_wait_for_it():
    text = render()
    every = services()
    owners = {listener.key: s for s in every for listener in s.listeners()}
    for service in every:
        block = _block(text, service.name)
        health = [one for one in service.listeners() if one.health]
        if health:
            assert f"http://127.0.0.1:{health[0].port}/health" in block
            assert "healthcheck:" in block
        else:
            assert "healthcheck:" not in block
        waits = depends_on(service, owners)
        for name, condition in waits.items():
            assert f"      {name}:\n        condition: {condition}" in block
    for agency in AGENCIES:
        waits = depends_on(next(s for s in every if s.name == adapter_name(agency)), owners)
        assert waits[simulator_name(agency)] == "service_healthy"


def test_the_issuer_and_the_gateway_do_not_wait_for_each_other():
    every = services()
    owners = {listener.key: s for s in every for listener in s.listeners()}
    by_name = {s.name: s for s in every}
    assert "issuer" in depends_on(by_name["gateway"], owners)
    assert "gateway" not in depends_on(by_name["issuer"], owners)  # a public URL only


def test_scaling_does_not_clash_on_a_fixed_instance_id():
    # Each replica names itself by its hostname (runtime.settings): no variable may fix it.
    assert not re.search(r"^\s+HUB_INSTANCE_ID:", render(), re.MULTILINE)


def test_people_reach_the_console_the_mailbox_and_a_kafka_ui_from_the_host():
    text = render()
    assert '"127.0.0.1:8180:8180"' in _block(text, "gateway")
    assert '"127.0.0.1:8025:8025"' in _block(text, "mailbox")
    ui = _block(text, "kafka-ui")
    assert "image: provectuslabs/kafka-ui:" in ui
    assert '"127.0.0.1:8088:8080"' in ui
    assert "KAFKA_CLUSTERS_0_PROPERTIES_SECURITY_PROTOCOL: SASL_SSL" in ui
    assert 'KAFKA_CLUSTERS_0_READONLY: "true"' in ui


def test_hubctl_runs_from_the_image_as_the_operator():
    block = _block(render(), "hubctl")
    assert "<<: *hub" in block
    assert 'entrypoint: ["python", "-m", "hubctl"]' in block
    assert "KAFKA_SASL_USERNAME: operator" in block


def test_an_unset_instance_id_is_the_hostname_valid_and_distinct_per_replica(monkeypatch):
    monkeypatch.delenv("HUB_INSTANCE_ID", raising=False)
    one, two = instance_id_of_host("3f2a9c1b7d4e"), instance_id_of_host("9b8c7d6e5f4a")
    assert one == "3f2a9c1b7d4e" and one != two  # compose: the container's short id
    assert instance_id_of_host("build-box.example.org") == "build-box"
    assert instance_id_of_host("we!rd host") == "we-rd-host"
    assert instance_id_of_host("") == "0"
    assert len(instance_id_of_host("x" * 80)) == 40
    settings = InfraSettings()
    assert settings.hub_instance_id == instance_id_of_host(socket.gethostname())
