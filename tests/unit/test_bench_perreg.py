"""CPU per registration: CPU% x phase seconds / N, checked against hand-computed costs."""

import pytest

from bench.perreg import (
    BROKER_ROW,
    DRIVER,
    MACHINE,
    MACHINE_ROW,
    SYSTEM_ROW,
    by_service,
    ms_per_registration,
    per_registration,
    ratio,
    side_by_side,
)


def test_half_a_core_for_ten_seconds_over_a_thousand_registrations_is_five_ms():
    # 0.5 core x 10 s = 5 CPU seconds = 5,000 ms, over 1,000 registrations
    assert ms_per_registration(50.0, 10.0, 1000) == pytest.approx(5.0)


@pytest.mark.parametrize(("window_s", "registrations"), [(0.0, 10), (10.0, 0)])
def test_no_window_or_no_registrations_has_no_cost(window_s, registrations):
    with pytest.raises(ValueError):
        ms_per_registration(50.0, window_s, registrations)
    assert per_registration({"gateway": 50.0}, window_s, registrations, cores=2) == {}


def test_processes_brokers_machine_and_system_rows():
    cpu = {
        "gateway": 60.0,
        "kafka broker (JVM) kafka-1": 40.0,
        "kafka broker (JVM) kafka-2": 20.0,
        "redis-server": 4.0,
        DRIVER: 30.0,
        MACHINE: 90.0,  # of both cores: 1.8 cores
    }
    costs = per_registration(cpu, window_s=4.0, registrations=800, cores=2)
    # each: percent/100 x 4 s x 1000 / 800 = percent / 20 ms
    assert costs["gateway"] == pytest.approx(3.0)
    assert costs[DRIVER] == pytest.approx(1.5)
    assert costs[BROKER_ROW] == pytest.approx(3.0)  # (40 + 20) / 20
    assert costs[SYSTEM_ROW] == pytest.approx((60 + 40 + 20 + 4) / 20)  # driver left out
    assert costs[MACHINE_ROW] == pytest.approx(180 / 20)  # 90% of 2 cores
    assert MACHINE not in costs


def test_without_a_machine_share_there_is_no_machine_row():
    costs = per_registration({"stage A": 10.0}, 1.0, 100, cores=2)
    assert MACHINE_ROW not in costs
    assert costs[BROKER_ROW] == 0.0
    assert costs[SYSTEM_ROW] == pytest.approx(1.0)


def test_side_by_side_gives_both_costs_and_their_ratio():
    hub = {MACHINE_ROW: 3.1, BROKER_ROW: 1.0, SYSTEM_ROW: 2.8}
    raw = {MACHINE_ROW: 0.62, BROKER_ROW: 0.0}
    rows = side_by_side(("hub", hub), ("raw", raw))
    assert rows[MACHINE_ROW] == {"hub": 3.1, "raw": 0.62, "hub/raw": 5.0}
    assert rows[BROKER_ROW]["hub/raw"] is None  # nothing to divide by
    assert rows[SYSTEM_ROW] == {"hub": 2.8, "raw": None, "hub/raw": None}


def test_ratio_rounds_and_refuses_missing_sides():
    assert ratio(1.0, 3.0) == 0.33
    assert ratio(None, 3.0) is None
    assert ratio(1.0, None) is None


def test_instances_of_one_service_add_up_under_its_name():
    costs = {"gateway": 1.25, "gateway-2": 1.5, "adapters-oss_nib": 0.5, "redis-server": 0.1}
    merged = by_service(costs, {"gateway-2": "gateway"})
    assert merged == {"gateway": 2.75, "adapters-oss_nib": 0.5, "redis-server": 0.1}


def test_the_report_puts_hub_and_raw_side_by_side_per_phase():
    from bench.phases import PhaseReport
    from bench.report import cpu_per_registration, cpu_per_registration_table

    def phase(name, cpu_percent, seconds, n):
        report = PhaseReport(name)
        report.figures["cpu_ms_per_registration"] = per_registration(cpu_percent, seconds, n, 2)
        return report

    reports = {
        "hub": {"full": phase("hub/full", {"gateway": 50.0, "kafka broker (JVM)": 40.0}, 10, 1000)},
        "raw": {"full": phase("raw/full", {"stage A": 10.0, "kafka broker (JVM)": 20.0}, 10, 2000)},
    }
    rows = cpu_per_registration(reports)["full"]
    assert rows[BROKER_ROW] == {"hub": 4.0, "raw": 1.0, "hub/raw": 4.0}
    assert rows[SYSTEM_ROW] == {"hub": 9.0, "raw": 1.5, "hub/raw": 6.0}
    assert "half" not in cpu_per_registration(reports)
    printed = cpu_per_registration_table(reports)
    assert "full: broker (all brokers)" in printed and "4.00" in printed
