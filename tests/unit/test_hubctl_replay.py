"""``hubctl replay`` without a broker: offset planning, sandbox names, the history file, wiring."""

import argparse
import csv
import gzip
import json
from pathlib import Path

import pytest

from contracts import topics
from contracts.decision import Outcome
from hubctl import replay, replay_export, replay_group, replay_sandbox, replay_whatif
from hubctl.console import EXIT_OK, EXIT_REFUSED, Refused, bootstrap_servers
from hubctl.history import HistoryRecord, read_history, write_history
from hubctl.replay_group import refuse_if_active, target_of
from hubctl.replay_offsets import (
    LogBounds,
    OffsetRange,
    Target,
    TargetKind,
    offset_ranges,
    parse_instant,
    plan_moves,
    resolve_target,
    time_ranges,
)
from hubctl.replay_sandbox import (
    REPLAYED_FROM,
    check_range_options,
    copied_headers,
    sandbox_targets,
    sandbox_topic,
)
from tests.unit.test_whatif import Log, recorded, verified_answers


def parse(*argv: str) -> argparse.Namespace:
    root = argparse.ArgumentParser(prog="hubctl")
    replay.register(root.add_subparsers(dest="concern", required=True))
    return root.parse_args(["replay", *argv])


# --- offset planning -------------------------------------------------------

BOUNDS = LogBounds(beginning=10, end=50)


@pytest.mark.parametrize(
    ("target", "found", "expected"),
    [
        (Target(TargetKind.EARLIEST), None, 10),
        (Target(TargetKind.LATEST), None, 50),
        (Target(TargetKind.OFFSET, 30), None, 30),
        (Target(TargetKind.OFFSET, 500), None, 50),  # past the end: the end
        (Target(TargetKind.OFFSET, 3), None, 10),  # deleted by retention: first stored
        (Target(TargetKind.TIMESTAMP, 1), 25, 25),
        (Target(TargetKind.TIMESTAMP, 1), None, 50),  # every record older: the end
    ],
)
def test_each_target_resolves_inside_the_partition(target, found, expected):
    assert resolve_target(target, BOUNDS, found) == expected


def test_a_plan_says_how_many_offsets_each_partition_re_reads_or_skips():
    bounds = {0: LogBounds(0, 100), 1: LogBounds(0, 40), 2: LogBounds(5, 60)}
    committed = {0: 100, 1: 10, 2: None}

    moves = plan_moves(Target(TargetKind.OFFSET, 30), bounds, committed)

    assert [(m.partition, m.target, m.re_read, m.skipped) for m in moves] == [
        (0, 30, 70, 0),
        (1, 30, 0, 20),
        (2, 30, 0, 0),
    ]
    assert [m.effect() for m in moves] == [
        "re-reads 70",
        "skips 20",
        "reads 30 (nothing committed before)",
    ]


def test_a_timestamp_plan_uses_the_brokers_offset_per_partition():
    bounds = {0: LogBounds(0, 100), 1: LogBounds(0, 40)}
    moves = plan_moves(
        Target(TargetKind.TIMESTAMP, 1_000), bounds, {0: 100, 1: 40}, {0: 60, 1: None}
    )
    assert [(m.target, m.re_read) for m in moves] == [(60, 40), (40, 0)]


def test_instants_without_an_offset_are_utc_and_nonsense_is_refused():
    assert parse_instant("2026-11-20T00:00:00") == parse_instant("2026-11-20T07:00:00+07:00")
    assert parse_instant("2026-11-20T00:00:00Z") == 1_795_132_800_000
    with pytest.raises(Refused, match="ISO 8601"):
        parse_instant("yesterday")


def test_offset_ranges_are_cut_to_what_each_partition_holds():
    bounds = {0: LogBounds(0, 100), 1: LogBounds(20, 30), 2: LogBounds(0, 0)}
    assert offset_ranges(bounds, 10, 50) == {
        0: OffsetRange(10, 50),
        1: OffsetRange(20, 30),
        2: OffsetRange(0, 0),
    }
    assert offset_ranges(bounds, None, None)[0] == OffsetRange(0, 100)
    assert offset_ranges(bounds, 60, 50)[0].span == 0


def test_time_ranges_run_from_the_first_record_at_the_start_to_the_first_at_the_stop():
    bounds = {0: LogBounds(0, 100), 1: LogBounds(0, 40)}
    ranges = time_ranges(bounds, {0: 10, 1: None}, {0: 20, 1: None})
    assert ranges == {0: OffsetRange(10, 20), 1: OffsetRange(40, 40)}
    assert time_ranges(bounds, None, {0: 20, 1: 5}) == {0: OffsetRange(0, 20), 1: OffsetRange(0, 5)}


# --- consumer groups --------------------------------------------------------


@pytest.mark.parametrize("state", ["Stable", "PreparingRebalance", "CompletingRebalance"])
def test_a_group_with_members_is_refused_by_name(state):
    with pytest.raises(Refused, match="consumer group insw-gateway is " + state):
        refuse_if_active("insw-gateway", state, 2)


@pytest.mark.parametrize("state", ["Empty", "Dead"])
def test_a_group_without_members_may_be_re_driven(state):
    refuse_if_active("insw-gateway", state, 0)


def test_the_command_line_asks_for_exactly_one_target():
    args = parse("group", "insw-gateway", "--topic", "T", "--to-timestamp", "2026-11-20T00:00:00Z")
    assert target_of(args) == Target(TargetKind.TIMESTAMP, 1_795_132_800_000)
    assert args.run is replay_group.run
    assert (
        target_of(parse("group", "g", "--topic", "T", "--to-earliest")).kind is TargetKind.EARLIEST
    )
    with pytest.raises(SystemExit):
        parse("group", "g", "--topic", "T", "--to-earliest", "--to-latest")
    with pytest.raises(SystemExit):
        parse("group", "g", "--topic", "T")


def test_bootstrap_comes_from_the_option_then_the_environment(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker:9092")
    assert bootstrap_servers(None) == "broker:9092"
    assert bootstrap_servers("other:9092") == "other:9092"
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS")
    assert bootstrap_servers(None) == "127.0.0.1:9092"


def test_the_help_says_why_replays_send_nothing_twice(capsys):
    with pytest.raises(SystemExit):
        parse("group", "--help")
    help_text = " ".join(capsys.readouterr().out.split())
    assert "the notifier emails once per decision id" in help_text
    assert "the CEISA adapter sends once per submission id" in help_text


# --- sandbox names ----------------------------------------------------------


def test_sandbox_topics_are_named_inside_the_namespace():
    assert sandbox_topic("ceisa-test", topics.REGISTRATION_DECIDED) == (
        "sandbox.ceisa-test.insw.registration.decided.v1"
    )


@pytest.mark.parametrize(
    "namespace",
    ["", ".", "a.b", "x..insw", "../prod", "ceisa test", "-leading", "n" * 65, "name/x"],
)
def test_a_namespace_that_is_not_one_plain_name_is_refused(namespace):
    with pytest.raises(Refused, match="namespace"):
        sandbox_topic(namespace, topics.REGISTRATION_DECIDED)


def test_a_sandbox_topic_of_the_same_namespace_is_refused_as_a_source():
    own = "sandbox.team1.insw.registration.decided.v1"
    with pytest.raises(Refused, match="already a topic of sandbox team1"):
        sandbox_topic("team1", own)
    assert sandbox_topic("team2", own) == "sandbox.team2." + own


def test_every_target_is_checked_before_anything_runs():
    with pytest.raises(Refused):
        sandbox_targets("team1", ["insw.registration.decided.v1", "sandbox.team1.x"])
    with pytest.raises(Refused, match="at least one"):
        sandbox_targets("team1", [])
    assert sandbox_targets("t", ["a", "a", "b"]) == {"a": "sandbox.t.a", "b": "sandbox.t.b"}


def test_a_name_kafka_would_not_accept_is_refused():
    with pytest.raises(Refused, match="legal"):
        sandbox_topic("team1", "x" * 240)


def test_copied_headers_keep_the_originals_and_name_the_source_once():
    headers = [("insw-message-id", b"m-1"), (REPLAYED_FROM, b"older/0/1")]
    assert copied_headers(headers, "insw.x.v1", 3, 42) == [
        ("insw-message-id", b"m-1"),
        (REPLAYED_FROM, b"insw.x.v1/3/42"),
    ]


def test_a_sandbox_range_is_offsets_or_times_not_both():
    base = ("sandbox", "--topic", "T", "--namespace", "n")
    check_range_options(parse(*base, "--from-offset", "3"))
    check_range_options(parse(*base, "--to-time", "2026-11-20T00:00:00Z"))
    with pytest.raises(Refused, match="not both"):
        check_range_options(parse(*base, "--from-offset", "3", "--to-time", "2026-11-20"))
    with pytest.raises(Refused, match="give a range"):
        check_range_options(parse(*base))
    assert parse(*base, "--to-offset", "1").run is replay_sandbox.run


def test_a_refused_sandbox_exits_2_before_touching_kafka(capsys):
    args = parse(
        "sandbox", "--topic", "T", "--namespace", "a.b", "--to-offset", "1",
        "--bootstrap", "127.0.0.1:1",
    )  # fmt: skip
    assert args.run(args) == EXIT_REFUSED
    assert "namespace 'a.b'" in capsys.readouterr().err


# --- the history file -------------------------------------------------------


def test_history_records_round_trip_through_the_file(tmp_path: Path):
    records = [
        HistoryRecord("t.b", 1, 7, 1_700_000_000_000, "SUB-1", '{"a": "é"}', (("h", "v"),)),
        HistoryRecord("t.a", 0, 3, 1_700_000_000_001, None, None),
    ]
    path = tmp_path / "h.jsonl.gz"

    assert write_history(path, records) == 2

    assert read_history(path) == sorted(records, key=lambda r: (r.topic, r.partition, r.offset))
    first = json.loads(gzip.decompress(path.read_bytes()).splitlines()[0])
    assert set(first) == {"topic", "partition", "offset", "timestamp", "key", "value", "headers"}


def test_the_same_records_give_the_same_bytes(tmp_path: Path):
    records = [HistoryRecord("t", 0, 0, 1, "k", "{}")]
    write_history(tmp_path / "1.gz", records)
    write_history(tmp_path / "2.gz", records)
    assert (tmp_path / "1.gz").read_bytes() == (tmp_path / "2.gz").read_bytes()


def test_a_file_that_is_not_a_history_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"topic": "t"}\n'))
    with pytest.raises(Refused, match=r"bad.jsonl.gz:1: not a history record"):
        read_history(path)
    plain = tmp_path / "plain.jsonl"
    plain.write_text("{}\n")
    with pytest.raises(Refused, match="not a gzip"):
        read_history(plain)


def test_export_is_wired():
    args = parse("export", "--out", "x.jsonl.gz")
    assert args.run is replay_export.run


# --- what-if at the terminal --------------------------------------------------


def test_what_if_prints_the_summary_and_writes_the_changed_rows(tmp_path: Path, capsys):
    log = Log()
    log.submitted("SUB-1", applicant__email="budi@example.co.id")
    log.submitted("SUB-2", applicant__email="not-an-email")
    log.decided(recorded("SUB-1", Outcome.APPROVED, asked=False))
    log.decided(recorded("SUB-2", Outcome.APPROVED, asked=False))
    for sid in ("SUB-1", "SUB-2"):
        for answer in verified_answers(sid):
            log.answered(answer)
    history = tmp_path / "h.jsonl.gz"
    write_history(history, log.records)
    out_csv, out_json = tmp_path / "w.csv", tmp_path / "w.json"

    args = parse(
        "what-if", "--history", str(history), "--csv", str(out_csv), "--json", str(out_json)
    )
    assert args.run is replay_whatif.run
    assert args.run(args) == EXIT_OK

    printed = capsys.readouterr().out
    assert "changed: 1 of 2 re-decided" in printed
    assert "SUB-2" in printed and "EMAIL_FORMAT(applicant.email)" in printed
    assert "budi" not in printed and "not-an-email" not in printed and "3171" not in printed
    rows = list(csv.DictReader(out_csv.open()))
    assert rows == [
        {
            "submission_id": "SUB-2",
            "old_outcome": "APPROVED",
            "new_outcome": "REJECTED",
            "reasons_added": "EMAIL_FORMAT(applicant.email)",
            "reasons_removed": "",
            "note": "",
        }
    ]
    [entry] = json.loads(out_json.read_text())
    assert entry["reasons_added"] == ["EMAIL_FORMAT(applicant.email)"]


def test_what_if_refuses_a_missing_history_file(tmp_path: Path, capsys):
    args = parse("what-if", "--history", str(tmp_path / "nope.jsonl.gz"))
    assert args.run(args) == EXIT_REFUSED
    assert "no such history file" in capsys.readouterr().err
