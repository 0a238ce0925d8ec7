"""Memory drift of the soak: baseline after a warm-up sample, growth and worst excursion."""

import os

import pytest

from bench.memory import (
    GROWTH_LIMIT_PCT,
    drift,
    drifts,
    growth_per_registration,
    pct,
    process_sample,
    rss_kb,
)


def test_growth_is_measured_from_the_sample_after_the_warm_up():
    # warm-up 50 (ignored), baseline 100, then 104, 120, 108
    result = drift([50.0, 100.0, 104.0, 120.0, 108.0])
    assert result is not None
    assert result.baseline == 100.0
    assert result.last == 108.0
    assert result.last_pct == pytest.approx(8.0)
    assert result.max_pct == pytest.approx(20.0)
    assert not result.flagged  # the excursion came back: growth is 8 %


def test_growth_over_ten_percent_is_flagged_and_ten_is_not():
    assert drift([0.0, 200.0, 221.0]).flagged  # type: ignore[union-attr]
    assert not drift([0.0, 200.0, 220.0]).flagged  # type: ignore[union-attr]
    assert GROWTH_LIMIT_PCT == 10.0


def test_shrinking_is_negative_growth_and_never_flagged():
    result = drift([10.0, 100.0, 80.0])
    assert result is not None
    assert result.last_pct == pytest.approx(-20.0)
    assert result.max_pct == 0.0
    assert not result.flagged


def test_too_few_samples_after_the_warm_up_give_no_drift():
    assert drift([100.0, 120.0]) is None
    assert drift([100.0, 120.0, 130.0], warmup=0) is not None


def test_zero_baseline():
    assert pct(0.0, 0.0) == 0.0
    assert pct(5.0, 0.0) == float("inf")
    assert drift([0.0, 0.0, 3.0]).flagged  # type: ignore[union-attr]


def test_series_missing_from_a_sample_are_left_out():
    samples = [
        {"gateway": 10.0, "redis keys": 1.0},
        {"gateway": 100.0, "redis keys": 10.0},
        {"gateway": 150.0},  # Redis did not answer this time
    ]
    found = drifts(samples)
    assert set(found) == {"gateway"}
    assert found["gateway"].flagged
    assert found["gateway"].as_dict()["first_vs_last_pct"] == pytest.approx(50.0)
    assert drifts([]) == {}


def test_rss_of_this_process_is_read_and_a_gone_process_is_skipped():
    mine = rss_kb(os.getpid())
    assert mine is not None and mine > 1000  # a Python interpreter is over 1 MiB
    assert rss_kb(2**22 + 12345) is None  # above pid_max's default: no such process
    sample = process_sample({"me": os.getpid(), "gone": 2**22 + 12345})
    assert set(sample) == {"rss_kb me"}


def test_growth_per_registration_divides_the_gain_by_the_registrations_offered():
    # 30 s at 20/s = 600 registrations; 1,692 -> 4,092 keys is +4 per registration
    assert growth_per_registration((15.0, 1692.0), (45.0, 4092.0), 20.0) == pytest.approx(4.0)
    assert growth_per_registration((15.0, 10.0), (15.0, 20.0), 20.0) is None
    assert growth_per_registration((0.0, 10.0), (30.0, 20.0), 0.0) is None


def test_key_families_drop_the_last_segment():
    from bench.soak import key_family

    assert key_family(b"insw:app:3f2a") == "insw:app:*"
    assert key_family(b"plain") == "plain"
