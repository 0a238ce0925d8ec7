"""runtime.collector: start-up objects frozen, a wider young generation, pauses counted."""

import gc
import subprocess
import sys
import textwrap

import pytest

from runtime import collector, service


def test_tune_freezes_what_start_up_built_and_sets_the_thresholds():
    # In a child process: freezing the test runner's own heap would outlive this test.
    probe = textwrap.dedent(
        """
        import gc
        from runtime import collector
        before = gc.get_freeze_count()  # not 0 on every CPython (3.12.1 starts with some)
        gc.set_threshold(1, 1, 1)  # so that tune() must set its own
        collector.tune()
        print(before, gc.get_freeze_count(), *gc.get_threshold())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    before, frozen, *thresholds = (int(x) for x in done.stdout.split())
    assert frozen - before > 10_000  # every imported module, class and function
    assert tuple(thresholds) == collector.THRESHOLDS


def test_pauses_add_up_every_collection_by_generation():
    pauses = collector.Pauses().install()
    try:
        before = collector.PAUSE_SECONDS.labels("2")._value.get()
        gc.collect(2)
        gc.collect(0)
    finally:
        pauses.remove()
    assert pauses.collections[2] >= 1 and pauses.collections[0] >= 1
    assert pauses.total > 0
    assert collector.PAUSE_SECONDS.labels("2")._value.get() > before
    counted = list(pauses.collections)
    gc.collect(0)
    assert pauses.collections == counted  # removed: no longer counting


def test_pauses_install_once_however_often_asked():
    pauses = collector.Pauses()
    pauses.install().install()
    try:
        assert gc.callbacks.count(pauses._observe) == 1
    finally:
        pauses.remove()
    assert pauses._observe not in gc.callbacks


def test_every_service_tunes_the_collector_before_serving(monkeypatch: pytest.MonkeyPatch):
    order: list[str] = []
    monkeypatch.setattr("runtime.collector.tune", lambda: order.append("tune"))

    class Counting:
        def install(self) -> None:
            order.append("count pauses")

    monkeypatch.setattr("runtime.collector.Pauses", Counting)
    monkeypatch.setattr("uvloop.install", lambda: order.append("uvloop"))

    def serve(coroutine: object) -> None:
        coroutine.close()  # type: ignore[attr-defined]
        order.append("serve")

    monkeypatch.setattr("asyncio.run", serve)
    monkeypatch.setattr("runtime.logs.configure", lambda: None)
    service.run(object())  # type: ignore[arg-type]
    assert order == ["tune", "count pauses", "uvloop", "serve"]
