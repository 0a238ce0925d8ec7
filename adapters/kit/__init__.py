"""The agency kit: what every verification adapter shares, assembled once.

HTTP with timeouts and retries (:mod:`.http`), a circuit breaker
(:mod:`.breaker`), an answer cache (:mod:`.cache`), metrics (:mod:`.metrics`),
the outcome taxonomy (:mod:`.resilience`) and the consuming service
(:mod:`.verifier`). Why beside the adapters and not in ``runtime``: only
adapters use it; the Kafka kit in ``runtime`` serves every service. The kit
never imports an adapter, and adapters still never import each other.
"""
