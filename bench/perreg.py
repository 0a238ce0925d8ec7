"""CPU per registration: the CPU% of a phase turned into milliseconds per registration.

Why per registration: a CPU share alone mixes cost with throughput (a process
at 50% of a core doing 1,000 reg/s is cheaper than one at 50% doing 100), and
the hub and the raw pipe, or one and two instances, run at different rates.
``CPU% / 100 x phase seconds`` is the CPU seconds a process spent in the
phase; divided by the registrations decided in it, that is its cost per
registration. Pure arithmetic, unit-tested (``tests/unit/test_bench_perreg.py``).
"""

from collections.abc import Mapping

MACHINE = "machine busy % (all cores)"
"""The whole machine's key in :class:`bench.cpu.CpuWindow`'s result (share of all cores)."""
DRIVER = "bench driver (this process)"
BROKER_PREFIX = "kafka broker"

MACHINE_ROW = "machine (all processes, all cores)"
BROKER_ROW = "broker (all brokers)"
SYSTEM_ROW = "system processes (driver excluded)"
SUMMARY_ROWS = (MACHINE_ROW, BROKER_ROW, SYSTEM_ROW)


def ms_per_registration(percent: float, window_s: float, registrations: int) -> float:
    """``percent`` of one core held for ``window_s`` seconds, shared by ``registrations``."""
    if registrations <= 0 or window_s <= 0:
        raise ValueError("CPU per registration needs registrations and a window")
    return percent / 100.0 * window_s * 1000.0 / registrations


def per_registration(
    cpu_percent: Mapping[str, float], window_s: float, registrations: int, cores: int
) -> dict[str, float]:
    """Milliseconds of CPU per registration per process, plus the summary rows.

    ``cpu_percent`` is :meth:`bench.cpu.CpuWindow.finish`'s result: per process
    100 = one core, and the machine's busy share of *all* ``cores`` (so it is
    scaled by ``cores``). The machine row counts every process on the machine,
    other sessions' included; the system row only the processes measured,
    without the load driver. Empty when nothing was decided.
    """
    if registrations <= 0 or window_s <= 0:
        return {}
    out: dict[str, float] = {}
    broker = system = 0.0
    for name, percent in cpu_percent.items():
        if name == MACHINE:
            continue
        cost = ms_per_registration(percent, window_s, registrations)
        out[name] = round(cost, 3)
        if name.startswith(BROKER_PREFIX):
            broker += cost
        if name != DRIVER:
            system += cost
    if MACHINE in cpu_percent:
        machine = ms_per_registration(cpu_percent[MACHINE] * cores, window_s, registrations)
        out[MACHINE_ROW] = round(machine, 3)
    out[BROKER_ROW] = round(broker, 3)
    out[SYSTEM_ROW] = round(system, 3)
    return out


def ratio(left: float | None, right: float | None) -> float | None:
    """``left / right`` rounded to 2 places, None when either is missing or ``right`` is 0."""
    if left is None or right is None or right == 0:
        return None
    return round(left / right, 2)


def side_by_side(
    left: tuple[str, Mapping[str, float]],
    right: tuple[str, Mapping[str, float]],
    rows: tuple[str, ...] = SUMMARY_ROWS,
) -> dict[str, dict[str, float | None]]:
    """Per row: each side's cost per registration and ``left/right``; sides are (name, costs)."""
    (left_name, left_costs), (right_name, right_costs) = left, right
    return {
        row: {
            left_name: left_costs.get(row),
            right_name: right_costs.get(row),
            f"{left_name}/{right_name}": ratio(left_costs.get(row), right_costs.get(row)),
        }
        for row in rows
    }


def by_service(costs: Mapping[str, float], instances: Mapping[str, str]) -> dict[str, float]:
    """Costs of several instances of one service added up under the service's name.

    ``instances`` maps a process name (``gateway-2``) to its service
    (``gateway``); names it does not hold stay as they are.
    """
    out: dict[str, float] = {}
    for name, cost in costs.items():
        service = instances.get(name, name)
        out[service] = round(out.get(service, 0.0) + cost, 3)
    return out
