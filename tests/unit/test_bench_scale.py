"""Scale-out phase: extra instances get their own id and ports, outcomes are compared."""

import pytest

from bench.phases import PhaseReport
from bench.scale import comparison, extra_instance, instance_of, outcome_mismatches, scaled_names
from devstack.processes import ServiceSpec


def test_the_gateway_and_every_adapter_scale_and_no_stand_in_does():
    names = scaled_names()
    assert "gateway" in names
    assert {"adapters-oss_nib", "adapters-djp_npwp", "adapters-dukcapil", "adapters-ceisa"} <= set(
        names
    )
    assert not [n for n in names if n.startswith("simulator")]
    assert "notifier" not in names  # off the decision path


def test_an_extra_instance_has_its_own_instance_id_and_ports():
    spec = ServiceSpec(
        "gateway", ("python", "-m", "gateway"), {"OFFICER_API_PORT": "8180", "X": "y"}, 8180
    )
    extra = extra_instance(spec, 2)
    assert extra.name == "gateway-2"
    assert extra.env["HUB_INSTANCE_ID"] == "bench-2"
    assert extra.env["X"] == "y"
    assert extra.env["OFFICER_API_PORT"] != "8180"
    assert extra.ready_port == int(extra.env["OFFICER_API_PORT"])
    assert extra.argv == spec.argv
    assert spec.env["OFFICER_API_PORT"] == "8180"  # the first instance's spec is untouched


def test_a_stand_in_with_an_argv_port_cannot_be_scaled():
    spec = ServiceSpec("simulator-oss", ("python", "-m", "simulators", "oss"), {}, 9001)
    with pytest.raises(ValueError):
        extra_instance(spec, 2)


def test_extra_instances_are_recognised_by_name():
    names = ["gateway", "gateway-2", "adapters-oss_nib-3", "simulator-oss", "redis-server"]
    assert instance_of(names, ["gateway", "adapters-oss_nib"]) == {
        "gateway-2": "gateway",
        "adapters-oss_nib-3": "adapters-oss_nib",
    }


def test_outcomes_are_compared_registration_by_registration():
    one = {0: "APPROVED", 1: "APPROVED", 2: "REJECTED['NIB_NOT_ACTIVE']", 3: "APPROVED"}
    more = {0: "APPROVED", 1: "REJECTED['X']", 2: "REJECTED['NIB_NOT_ACTIVE']", 4: "APPROVED"}
    found = outcome_mismatches(one, more)
    assert found["compared"] == 3
    assert found["differ"] == 1
    assert found["examples"] == {1: "APPROVED vs REJECTED['X']"}
    assert found["only_with_one"] == 1
    assert found["only_with_more"] == 1
    assert outcome_mismatches(one, dict(one))["differ"] == 0


def test_comparison_adds_instances_up_per_service_and_gives_the_ratio():
    one = PhaseReport("hub/full")
    one.figures = {
        "reg_per_s": 200.0,
        "latency": {"p50_ms": 100.0, "p99_ms": 400.0},
        "cpu_ms_per_registration": {"gateway": 2.0, "machine (all processes, all cores)": 6.0},
    }
    one.outcomes = {0: "APPROVED"}
    more = PhaseReport("hub-x2/full")
    more.figures = {
        "reg_per_s": 300.0,
        "latency": {"p50_ms": 50.0, "p99_ms": 200.0},
        "cpu_ms_per_registration": {
            "gateway": 1.25,
            "gateway-2": 1.25,
            "machine (all processes, all cores)": 6.6,
        },
    }
    more.outcomes = {0: "APPROVED"}
    found = comparison(one, more, ["gateway"])
    rows = found["rows"]
    assert rows["reg/s"] == {"one": 200.0, "more": 300.0, "more/one": 1.5}
    assert rows["CPU ms/reg: gateway"] == {"one": 2.0, "more": 2.5, "more/one": 1.25}
    assert rows["CPU ms/reg: machine (all processes, all cores)"]["more/one"] == 1.1
    assert found["outcomes"]["differ"] == 0
