"""bench.ceiling: the bounds the signatures put on the hub against the raw pipe."""

import json

import pytest

from bench.ceiling import ceiling, main, report

MACHINE = "machine (all processes, all cores)"


def system(reg_per_s: float, cpu_ms: float, busy: float) -> dict:
    return {
        "full": {
            "figures": {
                "reg_per_s": reg_per_s,
                "cpu_ms_per_registration": {MACHINE: cpu_ms},
                "cpu_percent": {"machine busy % (all cores)": busy},
            }
        }
    }


def run(*, raw=(2000.0, 0.7, 70.0), hub=(300.0, 5.0, 78.0), cores="2") -> dict:
    return {"machine": {"nproc": cores}, "results": {"raw": system(*raw), "hub": system(*hub)}}


def test_the_bounds_are_the_raw_pipe_plus_the_signatures():
    bound = ceiling(run(), signatures_ms=0.7)
    assert bound.floor_ms == pytest.approx(1.4)
    assert bound.same_busy_reg_per_s == pytest.approx(1000.0)  # 2000 x 0.7 / 1.4
    assert bound.same_busy_ratio == pytest.approx(0.5)
    assert bound.all_cores_reg_per_s == pytest.approx(2000 / 1.4)
    assert bound.all_cores_ratio == pytest.approx(1 / 1.4)  # 0.714: above 0.70
    assert bound.ratio_target_reachable  # the best of the two bounds decides
    assert bound.measured_ratio == pytest.approx(0.15)
    assert bound.hub_over_floor == pytest.approx(5.0 / 1.4)
    assert bound.budget_ms_at_rate_target == pytest.approx(2.0)


def test_a_costlier_signature_makes_the_ratio_target_unreachable():
    bound = ceiling(run(), signatures_ms=0.75)
    assert bound.all_cores_ratio < 0.70 and bound.same_busy_ratio < 0.70
    assert not bound.ratio_target_reachable
    assert "NOT reachable" in report(bound, "x.json")


def test_free_signatures_leave_the_raw_pipe_as_the_bound():
    bound = ceiling(run(), signatures_ms=0.0)
    assert bound.same_busy_ratio == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        (run(cores="0"), "machine.nproc"),
        ({"machine": {"nproc": "2"}, "results": {"hub": system(1, 1, 1)}}, "'raw'"),
    ],
)
def test_a_run_without_the_figures_is_refused_naming_what_is_missing(broken, field):
    with pytest.raises(ValueError, match=field):
        ceiling(broken, signatures_ms=0.5)


def test_a_negative_cost_is_refused():
    with pytest.raises(ValueError, match="signatures_ms"):
        ceiling(run(), signatures_ms=-1)


def test_the_command_reads_the_newest_run_and_prints_the_figures(tmp_path, capsys):
    (tmp_path / "20260101T000000.json").write_text(json.dumps(run(raw=(1000.0, 1.0, 50.0))))
    (tmp_path / "20260102T000000.json").write_text(json.dumps(run()))
    assert main(["--results", str(tmp_path), "--signatures-ms", "0.7", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["raw"]["reg_per_s"] == 2000.0  # the newer run
    assert printed["ratio_target_reachable"] is True


def test_the_command_refuses_an_empty_results_directory(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--results", str(tmp_path), "--signatures-ms", "0.7"])
    assert stopped.value.code == 2
    assert "no bench run" in capsys.readouterr().err


def test_the_command_measures_the_signatures_when_not_given(tmp_path, capsys):
    (tmp_path / "r.json").write_text(json.dumps(run()))
    assert main([str(tmp_path / "r.json"), "--rounds", "2", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert 0.01 < printed["signatures_ms"] < 20  # 4 records signed and verified, in batches


def test_per_record_signatures_cost_more_than_batched_ones(tmp_path, capsys):
    (tmp_path / "r.json").write_text(json.dumps(run()))
    figures = []
    for extra in ([], ["--per-record"]):
        assert main([str(tmp_path / "r.json"), "--rounds", "100", "--json", *extra]) == 0
        figures.append(json.loads(capsys.readouterr().out)["signatures_ms"])
    batched, per_record = figures
    assert batched < per_record
