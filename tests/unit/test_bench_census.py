"""The broker request census: parsing the request log, windows, per-registration counts."""

import json
import os
import time
from pathlib import Path

import pytest

from bench import census
from bench.broker_floor import Floor, cores_needed
from bench.cpu import process_cpu_ms
from devstack.kafka import REQUEST_LOG_VARIABLE, log4j_properties


def _line(
    at: str, api: str, client: str, *, total: float = 2.0, remote: float = 0.0, error: int = 0
) -> str:
    response = {"results": [{"name": "t", "partitions": [{"partitionErrorCode": error}]}]}
    body = {
        "response": response,
        "requestHeader": {"requestApiKeyName": api, "clientId": client, "correlationId": 7},
        "request": {},
        "requestQueueTimeMs": 0.25,
        "localTimeMs": 0.5,
        "remoteTimeMs": remote,
        "totalTimeMs": total,
    }
    return f"[{at}] Completed request:{json.dumps(body)}\n"


def _epoch(at: str) -> float:
    stamp, millis = at.split(",")
    return time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(millis) / 1000


LOG = [
    _line("2026-11-30 15:44:44,999", "PRODUCE", "insw-gateway-1"),  # before the window
    _line("2026-11-30 15:44:45,000", "PRODUCE", "insw-gateway-1", total=4.0, remote=2.0),
    _line("2026-11-30 15:44:45,500", "END_TXN", "insw-gateway-2"),
    "[2026-11-30 15:44:45,600] some other broker line\n",
    _line("2026-11-30 15:44:46,000", "ADD_PARTITIONS_TO_TXN", "AddPartitionsManager-client-1"),
    _line("2026-11-30 15:44:46,050", "ADD_PARTITIONS_TO_TXN", "insw-gateway-1", error=51),
    '[2026-11-30 15:44:46,100] Completed request:{"cut short',
    _line("2026-11-30 15:44:47,001", "PRODUCE", "aiokafka-producer-12"),  # after
]


def test_parse_reads_completed_requests_and_skips_everything_else() -> None:
    requests = list(census.parse(LOG))
    assert [r.api for r in requests] == [
        "PRODUCE",
        "PRODUCE",
        "END_TXN",
        "ADD_PARTITIONS_TO_TXN",
        "ADD_PARTITIONS_TO_TXN",
        "PRODUCE",
    ]
    assert [r.errors for r in requests[3:5]] == [(), (51,)]
    assert requests[1].at == pytest.approx(_epoch("2026-11-30 15:44:45,000"))
    assert requests[1].times_ms["remoteTimeMs"] == 2.0


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("insw-gateway-3", "insw-gateway"),
        ("AddPartitionsManager-client-1", "AddPartitionsManager-client"),
        ("aiokafka-producer-12", "aiokafka-producer"),
        ("insw-adapter-oss-nib", "insw-adapter-oss-nib"),
        ("bench-raw-a1b2c3d4", "bench-raw"),
    ],
)
def test_client_names_drop_the_instance_suffix_only(raw: str, name: str) -> None:
    assert census.client_name(raw) == name


def test_a_window_counts_only_its_requests_per_registration() -> None:
    requests = list(census.parse(LOG))
    start, end = _epoch("2026-11-30 15:44:45,000"), _epoch("2026-11-30 15:44:47,000")
    taken = census.take(requests, start, end, registrations=2)
    assert taken.total == 4
    assert taken.by_api == {"PRODUCE": 1, "END_TXN": 1, "ADD_PARTITIONS_TO_TXN": 2}
    summary = taken.as_dict()
    assert summary["requests_per_registration"] == 2.0
    assert summary["by_client"] == {
        "insw-gateway PRODUCE": 0.5,
        "insw-gateway END_TXN": 0.5,
        "AddPartitionsManager-client ADD_PARTITIONS_TO_TXN": 0.5,
        "insw-gateway ADD_PARTITIONS_TO_TXN": 0.5,
    }
    assert summary["errors"] == {"ADD_PARTITIONS_TO_TXN 51": 0.5}
    assert summary["median_ms"]["PRODUCE"]["remoteTimeMs"] == 2.0  # type: ignore[index]
    text = census.render("hub/low", taken)
    assert "4 requests for 2 registrations = 2.0 per registration" in text
    assert "answered error 51 to ADD_PARTITIONS_TO_TXN: 0.50" in text
    assert "PRODUCE" in text


def test_phase_windows_come_from_the_results_file() -> None:
    results = {
        "results": {
            "hub": {
                "low": {"figures": {"decided": 400, "window_epoch_s": [10.0, 30.5]}},
                "full": {"figures": {"decided": 8000}},  # an older run: no window
            },
            "raw": {"low": {"figures": {"decided": 398, "window_epoch_s": [40.0, 60.0]}}},
        }
    }
    assert census.phase_windows(results) == [
        ("hub/low", 10.0, 30.5, 400),
        ("raw/low", 40.0, 60.0, 398),
    ]


def test_main_prints_a_census_per_phase(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "requests.log"
    log.write_text("".join(LOG))
    results = tmp_path / "run.json"
    window = [_epoch("2026-11-30 15:44:45,000"), _epoch("2026-11-30 15:44:46,500")]
    results.write_text(
        json.dumps(
            {"results": {"hub": {"low": {"figures": {"decided": 4, "window_epoch_s": window}}}}}
        )
    )
    census.main([str(log), str(results)])
    out = capsys.readouterr().out
    assert "hub/low: 4 requests for 4 registrations = 1.0 per registration" in out


def test_main_refuses_a_results_file_without_windows(tmp_path: Path) -> None:
    log = tmp_path / "requests.log"
    log.write_text("")
    results = tmp_path / "run.json"
    results.write_text(json.dumps({"results": {"hub": {"full": {"figures": {"decided": 1}}}}}))
    with pytest.raises(SystemExit, match="no phase with a window_epoch_s"):
        census.main([str(log), str(results)])


def test_the_broker_logs_its_requests_only_when_asked(tmp_path: Path) -> None:
    quiet = log4j_properties({})
    assert "kafka.request.logger" not in quiet
    path = tmp_path / "requests.log"
    loud = log4j_properties({REQUEST_LOG_VARIABLE: str(path)})
    assert loud.startswith(quiet)
    assert "log4j.logger.kafka.request.logger=DEBUG, requests" in loud
    assert f"log4j.appender.requests.File={path}" in loud
    assert "log4j.additivity.kafka.request.logger=false" in loud  # not into the broker's own log


def test_the_broker_floor_takes_the_idle_share_off_over_the_whole_time() -> None:
    serial = Floor("transaction, serial", 100, wall_s=2.0, broker_cpu_ms=900.0, idle_ms_per_s=200.0)
    assert serial.wall_ms_each == 20.0
    assert serial.broker_ms_each == (900.0 - 400.0) / 100
    spaced = Floor("spaced", 100, 2.0, 1900.0, 200.0, elapsed_s=7.0)  # 5 s of pauses
    assert spaced.wall_ms_each == 20.0
    assert spaced.broker_ms_each == (1900.0 - 1400.0) / 100
    idle_only = Floor("idle", 10, 1.0, 100.0, 200.0)
    assert idle_only.broker_ms_each == 0.0  # never negative


def test_cores_needed_is_rate_times_transactions_times_cost() -> None:
    assert cores_needed(20.0, 6.0, 5.0) == 0.6
    assert cores_needed(0.0, 6.0, 5.0) == 0.0


def test_process_cpu_ms_counts_this_process_and_zero_for_a_gone_one() -> None:
    me = os.getpid()
    before = process_cpu_ms(me)
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    assert process_cpu_ms(me) - before >= 30  # ticks are 10 ms: at least 3 of the 5
    assert process_cpu_ms(2**22 + 7) == 0.0  # above pid_max's default: no such process
