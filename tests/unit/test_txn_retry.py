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


class _Txn:
    def __init__(self, transactional_id: str | None) -> None:
        self.transactional_id = transactional_id


class _Sender:
    """What aiokafka's produce handler reads of its sender."""

    def __init__(self, transactional_id: str | None) -> None:
        self._retry_backoff = 0.1
        self._txn_manager = _Txn(transactional_id) if transactional_id else None
        self.client = self
        self.metadata_refreshes = 0

    def force_metadata_update(self) -> None:
        self.metadata_refreshes += 1


class _Response:
    API_VERSION = 8

    def __init__(self, error_code: int) -> None:
        self.topics = [("insw.registration.decided.v1", [(0, error_code, -1, -1, -1, [], None)])]


def _backoff_after(error_code: int, batch: object, transactional_id: str | None = "gw") -> float:
    """The wait aiokafka's produce request would take before re-sending ``batch``."""
    from aiokafka import TopicPartition

    txn_retry.shorten()
    handler = sender.SendProduceReqHandler(
        _Sender(transactional_id), {TopicPartition("insw.registration.decided.v1", 0): batch}
    )
    handler.handle_response(_Response(error_code))
    assert handler._to_reenqueue == [batch]
    return float(handler._default_backoff)


NOT_ENOUGH_REPLICAS = 19
NOT_LEADER_OR_FOLLOWER = 6


@pytest.mark.usefixtures("aiokafka_default")
def test_a_transactional_produce_refused_by_its_check_is_retried_soon_once() -> None:
    batch = type("Batch", (), {})()
    assert _backoff_after(NOT_ENOUGH_REPLICAS, batch) == txn_retry.VERIFICATION_BACKOFF_S
    # refused again: a replica is really missing (a cluster broker down), aiokafka's wait
    assert _backoff_after(NOT_ENOUGH_REPLICAS, batch) == 0.1


@pytest.mark.usefixtures("aiokafka_default")
def test_other_produce_retries_keep_aiokafkas_wait() -> None:
    batch = type("Batch", (), {"expired": lambda self: False})()
    assert _backoff_after(NOT_LEADER_OR_FOLLOWER, batch) == 0.1
    assert _backoff_after(NOT_ENOUGH_REPLICAS, batch, transactional_id=None) == 0.1
