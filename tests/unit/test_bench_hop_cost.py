"""bench.hop_cost's bookkeeping: requests timed into the mode being measured, and its summary."""

import asyncio

from aiokafka import conn as aiokafka_conn

from bench.hop_cost import HopCost, timed_requests


class AddOffsetsToTxnRequest:
    """Named like aiokafka's request class: the summary strips the suffix."""


def test_the_summary_counts_requests_per_hop_and_takes_medians():
    cost = HopCost("transaction", walls_ms=[10.0, 30.0, 20.0, 40.0])
    cost.requests_ms["Produce"] += [1.0, 3.0, 2.0, 5.0]
    cost.requests_ms["EndTxn"] += [4.0, 6.0]
    cost.client_cpu_ms, cost.broker_cpu_ms = 20.0, 8.0
    head, produce, end = cost.lines()
    assert "4 hops, wall p50 25.00 ms, p90 40.00 ms" in head
    assert "client CPU 5.00 ms, broker CPU 2.00 ms per hop" in head
    assert "Produce" in produce and " 1.00 per hop" in produce and "p50   2.50 ms" in produce
    assert "EndTxn" in end and " 0.50 per hop" in end and "p50   5.00 ms" in end


async def test_requests_are_timed_into_the_current_mode_and_send_is_restored(monkeypatch):
    async def answered(self, request, expect_response=True):
        await asyncio.sleep(0.01)
        return "response"

    monkeypatch.setattr(aiokafka_conn.AIOKafkaConnection, "send", answered)
    cost = HopCost("at least once")
    current: list[HopCost | None] = [None]
    with timed_requests(lambda: current[0]):
        assert await aiokafka_conn.AIOKafkaConnection.send(None, object()) == "response"
        current[0] = cost
        response = await aiokafka_conn.AIOKafkaConnection.send(None, AddOffsetsToTxnRequest())
    assert response == "response"
    assert list(cost.requests_ms) == ["AddOffsetsToTxn"]  # the first, with no mode, is not kept
    assert cost.requests_ms["AddOffsetsToTxn"][0] >= 10.0
    assert aiokafka_conn.AIOKafkaConnection.send is answered
