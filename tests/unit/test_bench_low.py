"""The bench's low phase: a fixed 20 reg/s after half load, with issue 15's goals marked."""

import json

import pytest

from bench import phases
from bench.__main__ import parse
from bench.phases import PhaseReport, Target, measure
from bench.report import (
    GOALS,
    Goal,
    cpu_per_registration,
    cpu_per_registration_table,
    cpu_table,
    goals,
    hops_table,
    table,
    write_json,
)

# --- options ------------------------------------------------------------------------------


def test_the_low_phase_defaults_to_400_registrations_at_20_per_second():
    args = parse([])
    assert args.low_rate == 20.0
    assert args.low_n == 400
    assert args.half_rate == "500"  # the half phase keeps its own option


def test_low_rate_and_count_are_read_as_numbers():
    args = parse(["--low-rate", "12.5", "--low-n", "0"])
    assert args.low_rate == 12.5
    assert args.low_n == 0


@pytest.mark.parametrize(
    "argv",
    [["--low-rate", "0"], ["--low-rate", "-1"], ["--low-rate", "x"], ["--low-n", "-1"]],
)
def test_a_low_rate_that_is_not_positive_or_a_negative_count_is_refused(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse(argv)
    assert stopped.value.code == 2
    assert "--low-" in capsys.readouterr().err


# --- phases -------------------------------------------------------------------------------


def _target() -> Target:
    return Target("hub", "localhost:1", "sub", "dec", "insw-", dict, {})


@pytest.fixture
def driven(monkeypatch):
    """Replaces the driver: records (phase, count, rate) and reports ``reg_per_s`` 100."""
    calls: list[tuple[str, int, float | None]] = []
    stall: set[str] = set()

    async def fake_run_phase(target, run_id, phase, count, rate_per_s):
        calls.append((phase, count, rate_per_s))
        report = PhaseReport(f"{target.name}/{phase}", {"reg_per_s": 100.0})
        report.stalled = phase in stall
        return report

    monkeypatch.setattr(phases, "run_phase", fake_run_phase)
    return calls, stall


async def test_low_runs_after_half_at_its_fixed_rate_not_at_half_the_full_rate(driven):
    calls, _ = driven
    reports = await measure(
        _target(), "r", warmup=5, n=50, half_n=20, half_rate_setting="auto", low_n=7, low_rate=20.0
    )
    assert calls == [("warmup", 5, None), ("full", 50, None), ("half", 20, 50.0), ("low", 7, 20.0)]
    assert list(reports) == ["warmup", "full", "half", "low"]


async def test_no_low_phase_when_its_count_is_zero(driven):
    calls, _ = driven
    reports = await measure(_target(), "r", warmup=5, n=50, half_n=20, half_rate_setting="9")
    assert [phase for phase, _, _ in calls] == ["warmup", "full", "half"]
    assert "low" not in reports


async def test_no_low_phase_after_a_stalled_half(driven):
    calls, stall = driven
    stall.add("half")
    await measure(_target(), "r", warmup=5, n=50, half_n=20, half_rate_setting="9", low_n=7)
    assert [phase for phase, _, _ in calls] == ["warmup", "full", "half"]


def test_tls_cost_skips_the_low_phase(monkeypatch, tmp_path):
    from bench import tls_cost

    seen = []

    def fake_measure(protocol, args):
        seen.append(args.low_n)
        raise RuntimeError("stop here")

    monkeypatch.setattr(tls_cost, "_measure", fake_measure)
    args = parse(["--tls-cost", "--out", str(tmp_path)])
    with pytest.raises(RuntimeError):
        tls_cost.main(args, "python -m bench --tls-cost")
    assert seen == [0]
    assert args.low_n == 400  # the caller's options are left as they were


# --- report -------------------------------------------------------------------------------


def _phase(name, rate, p50, p99, *, hops=None, cpu=None):
    report = PhaseReport(name)
    report.figures = {
        "target_rate_per_s": rate,
        "reg_per_s": 19.8 if rate else 300.0,
        "latency": {"p50_ms": p50, "p95_ms": p99 - 10, "p99_ms": p99, "max_ms": p99 + 40},
        "cpu_percent": cpu or {"gateway": 12.0},
        "cpu_ms_per_registration": {"system processes (driver excluded)": p50 / 10},
        "hops": hops or {"intake": {"p50_ms": 3.0, "p95_ms": 4.0, "p99_ms": 5.0}},
    }
    return report


def _reports(low_rate=20.0, hub_p50=25.0, hub_p99=180.0):
    return {
        "hub": {
            "full": _phase("hub/full", None, 500.0, 900.0),
            "half": _phase("hub/half", 150.0, 300.0, 600.0),
            "low": _phase("hub/low", low_rate, hub_p50, hub_p99),
        },
        "raw": {
            "full": _phase("raw/full", None, 50.0, 90.0),
            "half": _phase("raw/half", 150.0, 30.0, 60.0),
            "low": _phase("raw/low", low_rate, 10.0, 40.0),
        },
    }


def _row(printed: str, label: str) -> list[str]:
    line = next(line for line in printed.splitlines() if line.startswith(f"| {label} "))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_the_table_has_low_rows_for_hub_and_raw_with_their_ratio():
    printed = table(_reports())
    assert _row(printed, "low load: target rate/s")[1:4] == ["20.0", "20.0", "1.00"]
    assert _row(printed, "low load: achieved reg/s")[1:4] == ["19.8", "19.8", "1.00"]
    assert _row(printed, "low load: p95 ms")[1:4] == ["170.0", "30.0", "5.67"]
    assert _row(printed, "low load: max ms")[1:4] == ["220.0", "80.0", "2.75"]


def test_the_issue_goals_are_marked_met_and_not_met_beside_their_rows():
    printed = table(_reports(hub_p50=25.0, hub_p99=180.0))
    p50, p99 = _row(printed, "low load: p50 ms"), _row(printed, "low load: p99 ms")
    assert p50[1:] == ["25.0", "10.0", "2.50", "<= 30 at 20/s: met"]
    assert p99[1:] == ["180.0", "40.0", "4.50", "<= 100 at 20/s: not met"]
    assert _row(printed, "half load: p99 ms")[4] == ""  # no goal there


def test_a_goal_is_met_at_its_limit_and_missed_just_above():
    assert GOALS["low load: p99 ms"] == Goal(100.0, 20.0)
    assert GOALS["low load: p50 ms"] == Goal(30.0, 20.0)
    goal = Goal(100.0, 20.0)
    assert goal.verdict(100.0, 20.0) == "met"
    assert goal.verdict(100.1, 20.0) == "not met"
    assert goal.verdict(None, 20.0) == "-"


def test_a_low_phase_at_another_rate_is_not_judged_against_the_20_per_s_goal():
    printed = table(_reports(low_rate=25.0, hub_p50=5.0))
    assert _row(printed, "low load: p50 ms")[4] == "<= 30 at 20/s: n/a (offered 25/s)"
    assert [g["verdict"] for g in goals(_reports(low_rate=25.0))] == ["n/a (offered 25/s)"] * 2


def test_without_a_low_phase_the_table_has_neither_low_rows_nor_a_goal_column():
    reports = _reports()
    for system in reports.values():
        del system["low"]
    printed = table(reports)
    assert "low load" not in printed
    assert "target" not in printed.splitlines()[0]
    assert _row(printed, "half load: p99 ms")[1:] == ["600.0", "60.0", "10.00"]
    assert goals(reports) == []


def test_per_hop_and_cpu_tables_have_the_low_phase_of_both_systems():
    reports = _reports()
    reports["hub"]["low"] = _phase(
        "hub/low", 20.0, 25.0, 180.0, hops={"decide": {"p50_ms": 7.0, "p95_ms": 8.0, "p99_ms": 9.0}}
    )
    assert "Hops during hub/low" in hops_table(reports)
    assert "Hops during raw/low" in hops_table(reports)
    assert "decide" in hops_table(reports).split("Hops during hub/low")[1]
    assert "CPU % during hub/low" in cpu_table(reports)
    assert "CPU % during raw/low" in cpu_table(reports)
    compared = cpu_per_registration(reports)["low"]["system processes (driver excluded)"]
    assert compared == {"hub": 2.5, "raw": 1.0, "hub/raw": 2.5}
    printed = cpu_per_registration_table(reports)
    assert "CPU ms per registration during hub/low:" in printed
    assert "low: system processes (driver excluded)" in printed


def test_the_json_carries_the_low_results_cpu_and_goals(tmp_path):
    reports = _reports()
    document = {"cpu_ms_per_registration": cpu_per_registration(reports), "goals": goals(reports)}
    path = write_json(tmp_path / "run.json", document, reports)
    written = json.loads(path.read_text())
    assert written["results"]["hub"]["low"]["figures"]["latency"]["p99_ms"] == 180.0
    assert written["results"]["raw"]["low"]["figures"]["target_rate_per_s"] == 20.0
    assert written["cpu_ms_per_registration"]["low"]["system processes (driver excluded)"] == {
        "hub": 2.5,
        "raw": 1.0,
        "hub/raw": 2.5,
    }
    by_figure = {g["figure"]: g for g in written["goals"]}
    assert by_figure["hub: low load: p50 ms"]["verdict"] == "met"
    assert by_figure["hub: low load: p99 ms"] == {
        "figure": "hub: low load: p99 ms",
        "limit": 100.0,
        "at_rate_per_s": 20.0,
        "offered_rate_per_s": 20.0,
        "value": 180.0,
        "verdict": "not met",
    }
