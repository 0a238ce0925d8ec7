"""The hub's own Prometheus metrics: the consume policy's work and the gateway's decisions.

Why: lag, parked records and uncertain commits are how an operator sees the
consume policy struggling before a decision is late. Every family lives in
one registry per process (:data:`REGISTRY`, served on ``/metrics`` by
:mod:`runtime.ops`); labels hold only fixed vocabularies (consumer group,
topic, outcome, reason code), never an id or personal data.

Recording is a dictionary look-up and an add per batch (not per record), so
it stays on in every service.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()
"""This process's hub metrics (agency metrics keep their own registry, served alongside)."""

GROUP_TOPIC = ["group", "topic"]

BATCH_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

BATCHES = Counter(
    "insw_consume_batches",
    "Batches handled and committed by the consume policy",
    GROUP_TOPIC,
    registry=REGISTRY,
)
RECORDS = Counter(
    "insw_consume_records",
    "Records in batches handled and committed",
    GROUP_TOPIC,
    registry=REGISTRY,
)
BATCH_SECONDS = Histogram(
    "insw_consume_batch_seconds",
    "Time from a batch's arrival to its commit",
    GROUP_TOPIC,
    buckets=BATCH_BUCKETS,
    registry=REGISTRY,
)
PARKED = Counter(
    "insw_consume_parked",
    "Records parked on their retry topic after a failure",
    GROUP_TOPIC,
    registry=REGISTRY,
)
DEAD_LETTERED = Counter(
    "insw_consume_dead_lettered",
    "Records sent to their dead-letter topic (poison, or retries spent)",
    GROUP_TOPIC,
    registry=REGISTRY,
)
UNCERTAIN_COMMITS = Counter(
    "insw_consume_uncertain_commits",
    "Commits whose outcome was unknown, by whether they turned out to have landed",
    ["group", "landed"],
    registry=REGISTRY,
)
BACKOFFS = Counter(
    "insw_consume_backoffs",
    "Batches put back after an outage, to be read again after a delay",
    GROUP_TOPIC,
    registry=REGISTRY,
)
BACKOFF_SECONDS = Counter(
    "insw_consume_backoff_seconds",
    "Seconds spent backing off before reading a batch again",
    GROUP_TOPIC,
    registry=REGISTRY,
)
LAG = Gauge(
    "insw_consume_lag_records",
    "Records behind the partition's end, summed over the group's partitions at its last batch",
    GROUP_TOPIC,
    registry=REGISTRY,
)
DECISIONS = Counter(
    "insw_gateway_decisions",
    "Decisions published, by outcome and reason code (one per reason; NONE when there is none)",
    ["outcome", "reason"],
    registry=REGISTRY,
)
REFERRAL_TIMERS = Counter(
    "insw_gateway_referral_timers",
    "The 24-hour referral clock: timers fired, by kind (warning, overdue, recheck)",
    ["kind"],
    registry=REGISTRY,
)
REFERRAL_OLDEST_SECONDS = Gauge(
    "insw_gateway_referral_oldest_due_seconds",
    "Seconds until the earliest pending referral timer falls due (negative: overdue)",
    registry=REGISTRY,
)
READY = Gauge(
    "insw_ready",
    "1 when the last readiness check found every dependency answering",
    registry=REGISTRY,
)
NO_REASON = "NONE"
