"""The audit head reader hands the head back without waiting for its consumer to close."""

import asyncio
import logging
import time

import pytest

from runtime import audit


class SlowToClose:
    """An AIOKafkaConsumer stand-in whose stop() hangs, as a TLS close can for 30 s."""

    stopping = asyncio.Event()

    def __init__(self, **_: object) -> None:
        pass

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        SlowToClose.stopping.set()
        await asyncio.sleep(3600)


async def _head(_consumer: object, _topic: str, _chain_id: str, **_: object) -> tuple[int, str]:
    return (7, "ab" * 32)


async def test_the_head_comes_back_while_the_reader_is_still_closing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    SlowToClose.stopping = asyncio.Event()
    monkeypatch.setattr(audit, "AIOKafkaConsumer", SlowToClose)
    monkeypatch.setattr(audit, "last_entry", _head)
    read = audit.kafka_head_reader("127.0.0.1:1", client_id="test")
    began = time.monotonic()
    assert await asyncio.wait_for(read("chain"), 5) == (7, "ab" * 32)
    assert time.monotonic() - began < 1.0
    await asyncio.wait_for(SlowToClose.stopping.wait(), 1)  # the close did start
    [closing] = list(audit._CLOSING)  # still referenced while it runs
    closing.cancel()
    await asyncio.gather(closing, return_exceptions=True)
    assert not audit._CLOSING


class FailsToClose(SlowToClose):
    async def stop(self) -> None:
        raise RuntimeError("connection reset")


async def test_a_reader_that_fails_to_close_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(audit, "AIOKafkaConsumer", FailsToClose)
    monkeypatch.setattr(audit, "last_entry", _head)
    read = audit.kafka_head_reader("127.0.0.1:1", client_id="test")
    with caplog.at_level(logging.WARNING, logger="runtime.audit"):
        assert await read("chain") == (7, "ab" * 32)
        for _ in range(10):
            await asyncio.sleep(0)
    assert not audit._CLOSING
    assert "not closed cleanly" in caplog.text and "connection reset" in caplog.text
