"""The Grafana dashboard queries only metrics the code registers (and most of them)."""

import json
import re
from pathlib import Path

from prometheus_client import CollectorRegistry

from adapters.kit.metrics import AgencyMetrics
from runtime import metrics

DASHBOARD = Path(__file__).parents[2] / "ops" / "grafana" / "insw-hub.json"
SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
}


def registered() -> set[str]:
    """Every series name the hub's registries can expose (family name plus its suffixes)."""
    names = set()
    for registry in (metrics.REGISTRY, AgencyMetrics(CollectorRegistry()).registry):
        for family in registry.collect():
            names |= {family.name + s for s in SUFFIXES[family.type]}
    return names


def queried(dashboard: dict) -> set[str]:
    """The ``insw_*`` series names in every panel's queries."""
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    return {name for expr in exprs for name in re.findall(r"\binsw_[a-z_]+\b", expr)}


def test_every_series_the_dashboard_queries_is_registered():
    names = queried(json.loads(DASHBOARD.read_text()))
    assert len(names) >= 15  # the dashboard is not empty, the pattern finds names
    assert names - registered() == set()


def test_an_unregistered_name_is_caught():
    board = {"panels": [{"targets": [{"expr": "rate(insw_consume_batchs_total[5m])"}]}]}
    assert queried(board) - registered() == {"insw_consume_batchs_total"}


def test_the_consume_policy_and_decision_families_are_all_on_the_dashboard():
    names = queried(json.loads(DASHBOARD.read_text()))
    wanted = {
        "insw_consume_records_total",
        "insw_consume_lag_records",
        "insw_consume_parked_total",
        "insw_consume_dead_lettered_total",
        "insw_consume_uncertain_commits_total",
        "insw_consume_backoffs_total",
        "insw_gateway_decisions_total",
        "insw_gateway_referral_oldest_due_seconds",
        "insw_ready",
    }
    assert wanted <= names
