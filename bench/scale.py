"""Scale-out: more instances of the gateway and of every adapter, the same decisions.

Why: production runs several instances of each service in one consumer group,
sharing the partitions. This proves, on the benchmark's load, that a second
instance changes neither which decisions come out (exactly one per
registration, the same outcome as with one instance) nor costs more than it
gives, and measures the throughput and CPU per registration the machine then
allows. Each extra instance has its own ``HUB_INSTANCE_ID`` (its Kafka
transactional ids derive from it, :mod:`runtime.service`), its own listener
ports, and the group and principal of its service.
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bench.perreg import SUMMARY_ROWS, by_service, ratio
from bench.phases import PhaseReport
from devstack.net import free_port
from devstack.processes import ServiceSpec
from topology.services import services

INSTANCE_VAR = "HUB_INSTANCE_ID"


def scaled_names() -> list[str]:
    """The decision path's own services, those that scale out: adapters and the gateway."""
    return [s.name for s in services() if s.decision_path and s.kafka and not s.stand_in]


def extra_instance(spec: ServiceSpec, number: int) -> ServiceSpec:
    """Instance ``number`` (2, 3, ...) of the service ``spec`` starts, on fresh ports.

    Its listeners are env-configured (``OPS_PORT``, ``OFFICER_API_PORT``...),
    so each gets a port of its own; it is ready when its main listener answers.
    """
    service = next(s for s in services() if s.name == spec.name)
    env = {**spec.env, INSTANCE_VAR: f"bench-{number}"}
    ready = None
    for listener in service.listeners():
        if listener.port_env is None:
            raise ValueError(f"{spec.name}: listener {listener.key} is not env-configured")
        env[listener.port_env] = str(port := free_port())
        ready = port if ready is None else ready
    return replace(spec, name=f"{spec.name}-{number}", env=env, ready_port=ready)


def instance_of(names: list[str], scaled: list[str]) -> dict[str, str]:
    """Process name -> service name for the extra instances among ``names`` (``gateway-2``)."""
    out = {}
    for name in names:
        base, _, number = name.rpartition("-")
        if base in scaled and number.isdigit():
            out[name] = base
    return out


def outcome_mismatches(one: Mapping[int, str], more: Mapping[int, str]) -> dict[str, Any]:
    """Registrations (by load index) whose outcome differs between one and more instances.

    Both phases send the same registrations in the same order, so index i is
    the same company and person in both.
    """
    both = sorted(set(one) & set(more))
    differ = {i: f"{one[i]} vs {more[i]}" for i in both if one[i] != more[i]}
    return {
        "compared": len(both),
        "only_with_one": len(set(one) - set(more)),
        "only_with_more": len(set(more) - set(one)),
        "differ": len(differ),
        "examples": dict(list(differ.items())[:3]),
    }


def comparison(one: PhaseReport, more: PhaseReport, scaled: list[str]) -> dict[str, Any]:
    """One vs more instances at full load: throughput, latency, CPU per registration."""

    def costs(report: PhaseReport) -> dict[str, float]:
        raw = report.figures.get("cpu_ms_per_registration", {})
        return by_service(raw, instance_of(list(raw), scaled))

    def figure(report: PhaseReport, *path: str) -> float | None:
        value: Any = report.figures
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return float(value) if isinstance(value, int | float) else None

    rows: dict[str, tuple[float | None, float | None]] = {
        "reg/s": (figure(one, "reg_per_s"), figure(more, "reg_per_s")),
        "p50 ms": (figure(one, "latency", "p50_ms"), figure(more, "latency", "p50_ms")),
        "p99 ms": (figure(one, "latency", "p99_ms"), figure(more, "latency", "p99_ms")),
    }
    one_costs, more_costs = costs(one), costs(more)
    for row in (*SUMMARY_ROWS, *scaled):
        rows[f"CPU ms/reg: {row}"] = (one_costs.get(row), more_costs.get(row))
    return {
        "rows": {k: {"one": a, "more": b, "more/one": ratio(b, a)} for k, (a, b) in rows.items()},
        "outcomes": outcome_mismatches(one.outcomes, more.outcomes),
    }
