"""Service logs are JSON lines at LOG_LEVEL, with personal data masked as a last defence."""

import io
import json
import logging

import pytest

from runtime import logs


def emit(level: int, message: str, *args: object, configured: str = "INFO") -> list[dict]:
    stream = io.StringIO()
    logs.configure(env={"LOG_LEVEL": configured})
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    logging.getLogger("insw.test").log(level, message, *args)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_level_logger_and_message():
    [line] = emit(logging.WARNING, "batch of %d retried", 3)
    assert line["level"] == "WARNING" and line["logger"] == "insw.test"
    assert line["message"] == "batch of 3 retried"
    assert "time" in line


def test_log_level_from_the_environment_filters_lines():
    assert emit(logging.INFO, "hidden", configured="warning") == []
    assert [x["message"] for x in emit(logging.DEBUG, "shown", configured="DEBUG")] == ["shown"]


def test_an_unknown_log_level_is_refused_not_ignored():
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        logs.level_from({"LOG_LEVEL": "LOUD"})


def test_personal_data_and_url_passwords_are_masked():
    [line] = emit(
        logging.ERROR,
        "failed for %s nik %s via %s",
        "siti.rahma@example.co.id",
        "3171012345670001",
        "redis://hub:s3cret@127.0.0.1:6379/0",
    )
    text = line["message"]
    assert "siti.rahma" not in text and "3171012345670001" not in text and "s3cret" not in text
    assert "[email]" in text and "[nik]" in text and "redis://hub:***@127.0.0.1" in text


@pytest.mark.parametrize(
    "hub_id",
    ["f11e3ae8a0460447470893406e33e703", "c9f5ea88a5ea3202ad09", "CEISA-POE-a3171012345670001bcd",
     "ab3171012345670001" + "c9f5ea88a5" * 4 + "f11e3a"],
)  # fmt: skip
def test_an_id_the_hub_made_is_not_cut_by_the_nik_mask(hub_id):
    """A uuid4 hex id holds 16 digits in a row about once in a thousand (a CI run's
    decision id did, and its log line lost it): ids stay whole so logs can be searched."""
    [line] = emit(logging.INFO, "decision %s: email already sent, skipped", hub_id)
    assert line["message"] == f"decision {hub_id}: email already sent, skipped"


@pytest.mark.parametrize(
    "smuggled",
    ["NIK3171012345670001", "x3171012345670001y", "nik=3171012345670001",
     "ab3171012345670001", "3171012345670001abc", "3171012345670001wxyz", "\"3171012345670001\"",
     "f11e3ae8a0460447470893406e33e70"],
)  # fmt: skip
def test_a_nik_glued_to_letters_is_still_masked(smuggled):
    [line] = emit(logging.INFO, "applicant %s", smuggled)
    assert "3171012345670001" not in line["message"] and "0460447470893406" not in line["message"]
    assert "[nik]" in line["message"]


@pytest.mark.parametrize(
    "phone",
    ["+62 812-3456-7890", "+6281234567890", "081234567890", "0812 3456 789", "6281234567890",
     "+44 20 7946 0958"],
)  # fmt: skip
def test_phone_numbers_are_masked(phone):
    [line] = emit(logging.WARNING, "contact %s refused", phone)
    assert line["message"] == "contact [phone] refused"


@pytest.mark.parametrize(
    "kept",
    ["batch of 500 at offset 1234567", "2026-11-30T12:00:00", "partition 3 offset 81234567",
     "took 0.081234 s"],
)  # fmt: skip
def test_what_only_looks_numeric_is_not_taken_for_a_phone(kept):
    [line] = emit(logging.WARNING, kept)
    assert line["message"] == kept


def test_exceptions_are_kept_and_masked_too():
    try:
        raise RuntimeError("owner budi@example.com")
    except RuntimeError:
        stream = io.StringIO()
        logs.configure(env={})
        handler = logging.getLogger().handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        logging.getLogger("insw.test").exception("boom")
    line = json.loads(stream.getvalue())
    assert "RuntimeError" in line["error"] and "budi@" not in line["error"]
