"""Transactions refused as CONCURRENT_TRANSACTIONS are retried after 2 ms, not aiokafka's 20."""

from collections.abc import Iterator

import pytest
from aiokafka.producer import sender

from runtime import txn_retry
from runtime.transactions import TransactionalOutbox


@pytest.fixture
def aiokafka_default() -> Iterator[None]:
    """aiokafka's own value before the test, whatever the test leaves behind undone after."""
    before = sender.BACKOFF_OVERRIDE
    sender.BACKOFF_OVERRIDE = 0.02
    yield
    sender.BACKOFF_OVERRIDE = before


@pytest.mark.usefixtures("aiokafka_default")
def test_a_transactional_outbox_shortens_the_retry_for_its_process() -> None:
    assert txn_retry.current() == 0.02
    TransactionalOutbox(
        "127.0.0.1:9", transactional_id="test.txn-retry", client_id="test", security={}
    )
    assert txn_retry.current() == txn_retry.BACKOFF_S == 0.002


@pytest.mark.usefixtures("aiokafka_default")
def test_the_raw_pipe_retries_like_the_hub() -> None:
    from bench import rawpipe

    assert "shorten_concurrent_retry" in rawpipe.pump.__code__.co_names


@pytest.mark.usefixtures("aiokafka_default")
@pytest.mark.parametrize("seconds", [0.0, -0.001, 0.2])
def test_a_backoff_out_of_range_is_refused(seconds: float) -> None:
    with pytest.raises(ValueError, match="must be within"):
        txn_retry.shorten(seconds)
    assert txn_retry.current() == 0.02


@pytest.mark.usefixtures("aiokafka_default")
def test_an_aiokafka_without_the_constant_is_noticed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sender, "BACKOFF_OVERRIDE")
    with pytest.raises(RuntimeError, match="no BACKOFF_OVERRIDE"):
        txn_retry.shorten()
