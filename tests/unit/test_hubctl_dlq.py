"""The dead-letter CLI's pure parts: re-drive headers, progress, rows, argument parsing."""

import argparse
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from contracts import headers as h
from hubctl import dlq
from hubctl.console import Refused
from hubctl.dlq_letters import REDRIVEN_FROM, DeadLetter, dlq_name, prepare, printable
from hubctl.dlq_output import (
    Listing,
    inspection,
    inspection_text,
    list_report,
    list_text,
    redrive_line,
    redrive_row,
    table,
)
from hubctl.dlq_progress import RedriveProgress, parse_singles, plan_batches
from runtime.deadletter import dead_letter
from runtime.errors import PoisonMessage
from runtime.records import Inbound
from runtime.sealing import DeadLetterSeal, SealBroken, new_key

TOPIC = "insw.registration.submitted.v1"
PERSONAL = b'{"applicant": {"full_name": "Budi Santoso", "nik": "3171011708850001"}}'


def letter_from(
    inbound: Inbound, seal: DeadLetterSeal, *, partition: int = 0, offset: int = 0
) -> DeadLetter:
    """A dead letter as the runtime writes it, placed at ``.dlq`` coordinates."""
    out = dead_letter(inbound, PoisonMessage("submitted_at: missing"), seal)
    return DeadLetter(
        topic=out.topic,
        partition=partition,
        offset=offset,
        key=out.key,
        value=out.value,
        headers=tuple((n, v.encode()) for n, v in out.headers.items()),
    )


@pytest.fixture
def seal() -> DeadLetterSeal:
    return DeadLetterSeal(new_key())


@pytest.fixture
def letter(seal: DeadLetterSeal) -> DeadLetter:
    inbound = Inbound(
        TOPIC,
        2,
        41,
        b"SUB-1",
        PERSONAL,
        [
            (h.MESSAGE_ID, b"m-41"),
            (h.CORRELATION_ID, b"SUB-1"),
            (h.CAUSATION_ID, b"m-40"),
            (h.SCHEMA, b"registration.submitted/1"),
            (h.CONTENT_TYPE, b"application/json"),
        ],
    )
    return letter_from(inbound, seal, partition=1, offset=7)


# --- re-drive: headers and destination ---------------------------------------------


def test_redrive_keeps_key_value_and_lineage_and_drops_failure_context(letter, seal):
    redrive = prepare(letter, seal, new_id=lambda: "fresh")
    headers = dict((n, v.decode()) for n, v in redrive.headers)
    assert redrive.topic == TOPIC and redrive.key == b"SUB-1" and redrive.value == PERSONAL
    assert headers == {
        h.CORRELATION_ID: "SUB-1",
        h.SCHEMA: "registration.submitted/1",
        h.CONTENT_TYPE: "application/json",
        h.MESSAGE_ID: "fresh",
        h.CAUSATION_ID: "m-41",
        REDRIVEN_FROM: f"{TOPIC}.dlq/1/7",
    }
    assert len(redrive.headers) == len(headers)  # no duplicate names


def test_redrive_without_a_message_id_is_caused_by_the_original_coordinates(seal):
    letter = letter_from(Inbound(TOPIC, 3, 9, None, b"{}"), seal)
    headers = dict(prepare(letter, seal, new_id=lambda: "fresh").headers)
    assert headers[h.CAUSATION_ID] == f"{TOPIC}-3-9".encode()
    assert headers[h.MESSAGE_ID] == b"fresh"


def test_redrive_from_a_retry_topic_goes_back_to_the_consumed_topic(letter, seal):
    retried = DeadLetter(
        letter.topic,
        0,
        0,
        letter.key,
        letter.value,
        tuple(
            (n, (TOPIC + ".retry").encode() if n == h.DLQ_TOPIC else v) for n, v in letter.headers
        ),
    )
    assert prepare(retried, seal).topic == TOPIC


def test_a_dead_letter_without_its_origin_is_refused_naming_the_header(letter, seal):
    stripped = DeadLetter(
        letter.topic,
        letter.partition,
        letter.offset,
        letter.key,
        letter.value,
        tuple((n, v) for n, v in letter.headers if n != h.DLQ_TOPIC),
    )
    with pytest.raises(Refused, match=r"__connect\.errors\.topic"):
        prepare(stripped, seal)


def test_an_unsealed_or_wrongly_keyed_value_is_refused(letter, seal):
    unsealed = DeadLetter(
        letter.topic,
        0,
        0,
        None,
        b"raw",
        tuple((n, v) for n, v in letter.headers if n != h.DLQ_SEALED),
    )
    with pytest.raises(Refused, match="insw-dlq-sealed"):
        prepare(unsealed, seal)
    with pytest.raises(SealBroken, match="/1/7"):
        prepare(letter, DeadLetterSeal(new_key()))


# --- re-drive progress: group offset plus single re-drives in its metadata -------------


def test_a_single_redrive_at_the_group_offset_moves_the_offset():
    done = RedriveProgress(5).after_single(5)
    assert done == RedriveProgress(6) and done.metadata() == ""


def test_a_single_redrive_ahead_of_the_group_offset_is_remembered_in_metadata():
    done = RedriveProgress(5).after_single(9).after_single(8).after_single(12)
    assert done.committed == 5 and done.metadata() == "redriven=8-9,12"
    assert done.redriven(4) and done.redriven(9) and not done.redriven(5) and not done.redriven(10)
    assert parse_singles(done.metadata()) == {8, 9, 12}
    # the gap closes: 5..7 re-driven one by one lets the offset jump past 9
    closed = done.after_single(5).after_single(6).after_single(7)
    assert closed == RedriveProgress(10, frozenset({12}))


def test_progress_reads_a_commit_and_ignores_foreign_metadata():
    assert RedriveProgress.from_commit(None, "", log_start=3) == RedriveProgress(3)
    assert RedriveProgress.from_commit(-1, "", log_start=0) == RedriveProgress(0)
    assert RedriveProgress.from_commit(4, "redriven=4,6", 0) == RedriveProgress(5, frozenset({6}))
    assert RedriveProgress.from_commit(4, "something else", 0) == RedriveProgress(4)
    assert parse_singles("redriven=x-y") == frozenset()
    assert parse_singles("redriven=0-99999999999") == frozenset()  # not ours: never expanded


def test_too_many_scattered_singles_are_refused_rather_than_truncated():
    progress = RedriveProgress(0, frozenset(range(10, 10_000, 2)))
    with pytest.raises(Refused, match="--all"):
        progress.metadata()


def redrive_at(letter: DeadLetter, seal, partition: int, offset: int):
    moved = DeadLetter(letter.topic, partition, offset, letter.key, letter.value, letter.headers)
    return prepare(moved, seal)


def test_plan_skips_singles_batches_per_partition_and_commits_each_end(letter, seal):
    redrives = [redrive_at(letter, seal, 0, o) for o in (2, 3, 4, 5, 6)]
    redrives += [redrive_at(letter, seal, 1, 0)]
    progress = {0: RedriveProgress(2, frozenset({4})), 1: RedriveProgress(0)}
    batches = plan_batches(redrives, progress, ends={0: 9, 1: 2}, size=2)
    sent = [[r.source.offset for r in b.redrives] for b in batches]
    assert sent == [[2, 3], [5, 6], [0]]
    # the first batch ends at 3; single 4 closes the gap, so the group offset jumps to 5
    assert [b.progress for b in batches] == [
        {0: RedriveProgress(5)},
        {0: RedriveProgress(9)},
        {1: RedriveProgress(2)},
    ]


def test_plan_commits_the_end_even_when_nothing_is_left_to_send():
    batches = plan_batches([], {0: RedriveProgress(3), 1: RedriveProgress(4)}, {0: 5, 1: 4}, 10)
    assert [(b.redrives, b.progress) for b in batches] == [((), {0: RedriveProgress(5)})]


# --- output ---------------------------------------------------------------------------


def test_list_rows_show_coordinates_origin_and_error_but_no_value(letter):
    listing = Listing(f"{TOPIC}.dlq", [letter], {1: RedriveProgress(8)})
    report = list_report([listing], limit=10)
    [row] = report["dead_letters"]
    assert row["original"] == f"{TOPIC}[2]@41"
    assert row["exception_class"] == "runtime.errors.PoisonMessage"
    assert row["exception_message"] == "submitted_at: missing"
    assert row["key"] == "SUB-1" and row["redriven"] is True
    assert row["failed_at"].endswith("Z") and row["failed_at"][:2] == "20"
    assert report["topics"] == [
        {"dlq_topic": f"{TOPIC}.dlq", "dead_letters": 1, "redriven": 1, "waiting": 0}
    ]
    text = list_text(report) + json.dumps(report)
    assert "re-driven" in text and f"{TOPIC}[2]@41" in text
    assert "Budi" not in text and "3171011708850001" not in text


def test_list_limit_keeps_the_newest_and_counts_everything(letter):
    letters = [
        DeadLetter(letter.topic, 0, o, letter.key, letter.value, letter.headers) for o in range(5)
    ]
    report = list_report([Listing(letter.topic, letters, {0: RedriveProgress(0)})], limit=2)
    assert [r["offset"] for r in report["dead_letters"]] == [3, 4]
    assert report["topics"][0]["dead_letters"] == 5 and report["topics"][0]["waiting"] == 5


def test_table_aligns_columns_one_line_per_row():
    text = table((("a", "A"), ("b", "BEE")), [{"a": "long value", "b": 1}, {"a": "x", "b": 22}])
    assert text.splitlines() == ["A           BEE", "long value  1", "x           22"]


def test_printable_escapes_control_characters_and_cuts_long_text():
    assert printable(b"SUB-1\x1b[31m\n") == "SUB-1\\x1b[31m\\n"
    assert printable(None) == "-"
    assert printable("abcdef", limit=4) == "abc…"
    assert printable(b"\xff") == "\\xff"


def test_inspection_hides_the_value_unless_shown(letter, seal):
    hidden = inspection(letter, redriven=False, opened=None, shown=False)
    text = inspection_text(hidden, None) + json.dumps(hidden)
    assert "Budi" not in text and "value" not in hidden
    assert hidden["sealed_value"]["size"] == len(letter.value)
    assert [h.DLQ_EXCEPTION_CLASS, "runtime.errors.PoisonMessage"] in hidden["headers"]
    opened = seal.open(letter.value)
    shown = inspection(letter, redriven=False, opened=opened, shown=True)
    assert shown["value"]["json"]["applicant"]["full_name"] == "Budi Santoso"
    assert '"full_name": "Budi Santoso"' in inspection_text(shown, opened)


def test_redrive_row_names_headers_and_size_but_not_the_value(letter, seal):
    row = redrive_row(prepare(letter, seal))
    line = redrive_line(row, dry_run=True)
    assert line.startswith(f"would send {TOPIC}.dlq/1/7 -> {TOPIC} key=SUB-1")
    assert f"value={len(PERSONAL)} bytes" in line and REDRIVEN_FROM in line
    assert "Budi" not in line


def test_operators_may_name_the_guarded_topic_for_listing():
    assert dlq_name(TOPIC) == TOPIC + ".dlq" == dlq_name(TOPIC + ".dlq")


# --- argument parsing -----------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """Run a command as ``python -m hubctl`` would, on a thread of its own.

    Why a thread: the command calls ``asyncio.run``, which must not touch the
    test session's event loop.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        status: int = pool.submit(args.run, args).result()
    return status


def parse(*argv: str) -> argparse.Namespace:
    root = argparse.ArgumentParser(prog="hubctl")
    dlq.register(root.add_subparsers(dest="concern", required=True))
    return root.parse_args(["dlq", *argv])


def test_arguments_of_each_command(monkeypatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker:1")
    listed = dlq._resolved(parse("list", "--limit", "3", "--json"))
    assert (listed.run, listed.limit, listed.json, listed.bootstrap) == (
        dlq.run_list,
        3,
        True,
        "broker:1",
    )
    inspected = parse("inspect", "t.dlq", "1", "42", "--show-value", "--bootstrap", "b:2")
    assert (inspected.topic, inspected.partition, inspected.offset) == ("t.dlq", 1, 42)
    assert inspected.show_value and inspected.bootstrap == "b:2"
    redrive = parse("redrive", "--topic", "t.dlq", "--all", "--dry-run")
    assert redrive.run is dlq.run_redrive and redrive.all and redrive.dry_run


def test_bootstrap_defaults_to_the_local_broker_when_the_command_runs(monkeypatch):
    args = parse("list")
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    assert dlq._resolved(args).bootstrap == "127.0.0.1:9092"


@pytest.mark.parametrize("bad", [["inspect", "t.dlq", "0", "-1"], ["list", "--limit", "many"]])
def test_negative_or_non_numeric_numbers_are_usage_errors(bad):
    with pytest.raises(SystemExit) as exit_info:
        parse(*bad)
    assert exit_info.value.code == 2


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--all", "--partition", "0", "--offset", "1"], "either"),
        ([], "either"),
        (["--partition", "0"], "together"),
        (["--all", "--force"], "--force"),
    ],
)
def test_redrive_selection_must_be_one_record_or_all(argv, complaint, capsys):
    args = parse("redrive", "--topic", "t.dlq", "--bootstrap", "127.0.0.1:1", *argv)
    assert run(args) == 2
    err = capsys.readouterr().err
    assert complaint in err and err.count("\n") == 1


def test_redrive_refuses_a_topic_that_is_not_a_dead_letter_topic(capsys, monkeypatch):
    monkeypatch.setenv("DLQ_SEAL_KEY", new_key())
    args = parse("redrive", "--topic", TOPIC, "--all", "--bootstrap", "127.0.0.1:1")
    assert run(args) == 2
    assert "dead-letter topic" in capsys.readouterr().err


def test_missing_or_malformed_key_is_refused_before_kafka_is_contacted(capsys, monkeypatch):
    monkeypatch.delenv("DLQ_SEAL_KEY", raising=False)
    args = parse("redrive", "--topic", "t.dlq", "--all", "--bootstrap", "127.0.0.1:1")
    assert run(args) == 2
    assert "DLQ_SEAL_KEY is not set" in capsys.readouterr().err
    monkeypatch.setenv("DLQ_SEAL_KEY", "not-a-key")
    args = parse("inspect", "t.dlq", "0", "0", "--show-value", "--bootstrap", "127.0.0.1:1")
    assert run(args) == 2
    assert "not a valid Fernet key" in capsys.readouterr().err
