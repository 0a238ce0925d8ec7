"""docker-compose.yml is generated from the topology; the committed file must not drift."""

from pathlib import Path

from devstack.compose import render
from topology.services import services

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
