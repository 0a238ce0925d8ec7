"""bench.trace_path: one registration's steps from its spans, and the last phase's table."""

import json

import pytest

from bench.trace_path import Span, main, path_of, paths

MS = 1_000_000


def registration(trace: str, at_ms: int, *, decided_after_ms: int = 20) -> list[Span]:
    """The spans of one registration, starting ``at_ms``."""

    def span(service: str, name: str, kind: str, offset_ms: float) -> Span:
        return Span(trace, service, name, kind, int((at_ms + offset_ms) * MS))

    return [
        span("insw-gateway", "consume insw.registration.submitted.v1", "CONSUMER", 0),
        span("insw-gateway", "publish insw.verification.nib.requested.v1", "PRODUCER", 1),
        span("insw-gateway", "publish insw.verification.nik.requested.v1", "PRODUCER", 2),
        span("insw-adapter-oss-nib", "consume insw.verification.nib.requested.v1", "CONSUMER", 5),
        span("insw-adapter-dukcapil", "consume insw.verification.nik.requested.v1", "CONSUMER", 6),
        span("insw-adapter-oss-nib", "publish insw.verification.completed.v1", "PRODUCER", 8),
        span("insw-adapter-dukcapil", "publish insw.verification.completed.v1", "PRODUCER", 9),
        span("insw-gateway", "consume insw.verification.completed.v1", "CONSUMER", 10),
        span("insw-gateway", "consume insw.verification.completed.v1", "CONSUMER", 13),
        span("insw-gateway", "publish insw.notification.requested.v1", "PRODUCER", 15),
        span("insw-gateway", "publish insw.registration.decided.v1", "PRODUCER", 15),
        span(
            "insw-adapter-ceisa",
            "consume insw.registration.decided.v1",
            "CONSUMER",
            15 + decided_after_ms,
        ),
    ]


def test_the_steps_are_the_gaps_between_the_hops_and_add_up():
    steps = path_of(registration("a", 1000))
    assert steps == [2.0, 3.0, 4.0, 4.0, 2.0, 20.0, 35.0]  # the email request is no question
    assert sum(steps[:-1]) == steps[-1]


def test_a_registration_missing_a_span_is_left_out():
    assert path_of(registration("a", 0)[:-1]) is None


def test_only_the_last_registrations_are_read():
    spans = registration("early", 0, decided_after_ms=500) + registration("late", 2000)
    assert [p[5] for p in paths(spans, last=1)] == [20.0]


def test_the_table_is_printed_from_a_traces_directory(tmp_path, capsys):
    with (tmp_path / "insw-gateway-1.jsonl").open("w") as out:
        for span in registration("a", 0) + registration("b", 100, decided_after_ms=40):
            out.write(json.dumps({**span.__dict__, "span_id": "x", "end_ns": span.start_ns}) + "\n")
    main([str(tmp_path), "--last", "2"])
    printed = capsys.readouterr().out
    assert "2 registrations" in printed
    assert "| decision to CEISA's adapter |" in printed and "| 20.0 | 40.0 | 40.0 |" in printed


def test_a_last_of_none_is_refused_naming_the_option(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path), "--last", "0"])
    assert exit_.value.code == 2
    assert "--last 0: must be 1 or more" in capsys.readouterr().err
