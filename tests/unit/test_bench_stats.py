"""Percentile math of the benchmark: nearest-rank, checked against hand-computed ranks."""

import pytest

from bench.stats import percentile, rate, summarize


def test_nearest_rank_on_ten_samples_picks_the_ceiling_rank():
    samples = [float(v) for v in range(10, 0, -1)]  # unsorted on purpose: 10..1
    # rank = ceil(p/100 * 10): p50 -> 5, p95 -> 10, p90 -> 9, p11 -> 2, p10 -> 1
    assert percentile(samples, 50) == 5.0
    assert percentile(samples, 95) == 10.0
    assert percentile(samples, 90) == 9.0
    assert percentile(samples, 11) == 2.0
    assert percentile(samples, 10) == 1.0


def test_nearest_rank_never_interpolates():
    # linear interpolation would give 1.5 for the median of two samples
    assert percentile([1.0, 2.0], 50) == 1.0
    assert percentile([1.0, 2.0], 51) == 2.0


def test_p99_of_hundred_samples_is_the_99th_not_the_maximum():
    samples = [float(v) for v in range(1, 101)]
    assert percentile(samples, 99) == 99.0
    assert percentile(samples, 100) == 100.0
    assert percentile(samples, 0) == 1.0


def test_single_sample_is_every_percentile():
    assert {percentile([7.0], p) for p in (0, 1, 50, 99, 100)} == {7.0}


@pytest.mark.parametrize("p", [-1, 100.5])
def test_percentile_outside_range_is_refused(p):
    with pytest.raises(ValueError):
        percentile([1.0], p)


def test_no_samples_is_refused_and_summarised_as_none():
    with pytest.raises(ValueError):
        percentile([], 50)
    assert summarize([]) is None


def test_summary_converts_seconds_to_milliseconds():
    summary = summarize([0.001 * v for v in range(1, 201)])  # 1..200 ms
    assert summary is not None
    assert summary.count == 200
    assert summary.p50_ms == pytest.approx(100.0)
    assert summary.p95_ms == pytest.approx(190.0)
    assert summary.p99_ms == pytest.approx(198.0)
    assert summary.max_ms == pytest.approx(200.0)


def test_rate_over_span_and_empty_span():
    assert rate(3000, 10.0, 13.0) == pytest.approx(1000.0)
    assert rate(5, 1.0, 1.0) == 0.0
