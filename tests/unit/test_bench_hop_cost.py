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


async def test_requests_are_timed_into_the_mode_whose_client_sent_them(monkeypatch):
    async def answered(self, request, expect_response=True):
        await asyncio.sleep(0.01)
        return "response"

    class Connection:
        def __init__(self, client_id):
            self._client_id = client_id

    monkeypatch.setattr(aiokafka_conn.AIOKafkaConnection, "send", answered)
    costs = {"bench-hop-a": HopCost("at least once"), "bench-hop-t": HopCost("transaction")}
    with timed_requests(costs.get):
        send = aiokafka_conn.AIOKafkaConnection.send
        assert await send(Connection("someone-else"), object()) == "response"
        response = await send(Connection("bench-hop-t"), AddOffsetsToTxnRequest())
    assert response == "response"
    assert list(costs["bench-hop-t"].requests_ms) == ["AddOffsetsToTxn"]
    assert costs["bench-hop-t"].requests_ms["AddOffsetsToTxn"][0] >= 10.0
    assert not costs["bench-hop-a"].requests_ms  # nor is another client's, nor no mode's
    assert aiokafka_conn.AIOKafkaConnection.send is answered
