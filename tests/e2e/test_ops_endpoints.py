"""Every hub service of the running stack answers /health, /ready and /metrics."""

import aiohttp

from topology.services import services


def hub_services() -> dict[str, str]:
    """Listener key of every hub service (stand-ins excluded), by service name."""
    return {
        s.name: s.listener.key for s in services() if not s.stand_in and s.listener is not None
    }


async def test_every_service_is_healthy_ready_and_exposes_its_metrics(stack):
    found = hub_services()
    assert {"gateway", "notifier", "intake", "customs", "adapters-ceisa"} <= found.keys()
    assert sum(name.startswith("adapters-") for name in found) == 4
    answers = {}
    async with aiohttp.ClientSession() as http:
        for name, key in found.items():
            base = f"http://127.0.0.1:{stack.ports[key]}"
            async with http.get(f"{base}/health") as health, http.get(f"{base}/ready") as ready:
                answers[name] = (health.status, ready.status, await ready.text())
            async with http.get(f"{base}/metrics") as metrics:
                text = await metrics.text()
            assert "insw_ready" in text, name
            if name != "intake":  # the intake consumes nothing
                assert "insw_consume_batches_total" in text, name
            if name.startswith("adapters-") and name != "adapters-ceisa":
                assert "insw_agency_verifications_total" in text, name
    assert {n: a[:2] for n, a in answers.items()} == dict.fromkeys(found, (200, 200)), answers
