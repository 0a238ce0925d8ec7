"""The plumbing of ``--brokers 3`` and of the cluster and Redis-kill faults, without a broker.

What a mistake here would cost: a "cluster" whose nodes are each their own
quorum (three independent brokers), topics with one copy on three brokers,
internal topics left at one copy, or a cluster fault quietly run on one
broker; each case below would let that through if the code went wrong.
"""

import pytest

from devstack import __main__ as devstack_cli
from devstack.kafka import SINGLE, KafkaNode, Replication, server_properties
from devstack.kafka_cluster import (
    BOOTSTRAP_LOST,
    QUORUM_PROPERTIES,
    KafkaCluster,
    _log_mentions,
    partition_leaders,
    quorum_voters,
)
from devstack.processes import ServiceProcess
from devstack.redis import RedisNode
from faults import __main__ as faults_cli
from faults.cluster_faults import BrokerFreeze, LeaderKill
from faults.run import brokers_for
from faults.scenarios import SCENARIOS, RedisRestart
from runtime.kafka_security import bootstrap_list


def _props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


@pytest.mark.parametrize(
    ("brokers", "factor", "floor"), [(1, 1, 1), (2, 2, 1), (3, 3, 2), (5, 3, 2)]
)
def test_replication_follows_the_cluster_size(brokers, factor, floor):
    assert Replication.for_brokers(brokers) == Replication(factor, floor)


def test_no_cluster_without_a_broker():
    with pytest.raises(ValueError, match="at least one broker"):
        Replication.for_brokers(0)


def test_topics_of_a_cluster_carry_their_in_sync_floor_and_a_single_broker_none():
    assert Replication.for_brokers(3).topic_configs() == {"min.insync.replicas": "2"}
    assert SINGLE.topic_configs() == {}


def test_a_lone_broker_is_configured_as_before():
    props = _props(server_properties("127.0.0.1:9093", ["listeners=X"], "/data"))
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9093"
    for key in (
        "default.replication.factor",
        "min.insync.replicas",
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
    ):
        assert props[key] == "1", key


def test_a_cluster_node_names_every_voter_and_replicates_the_internal_topics():
    voters = "1@127.0.0.1:1,2@127.0.0.1:2,3@127.0.0.1:3"
    props = _props(
        server_properties(
            "127.0.0.1:2",
            [],
            "/data",
            node_id=2,
            voters=voters,
            replication=Replication.for_brokers(3),
        )
    )
    assert props["node.id"] == "2"
    assert props["controller.quorum.voters"] == voters
    assert props["default.replication.factor"] == "3"
    assert props["min.insync.replicas"] == "2"  # also the offsets topic's floor
    assert props["offsets.topic.replication.factor"] == "3"
    assert props["transaction.state.log.replication.factor"] == "3"
    assert props["transaction.state.log.min.isr"] == "2"


def test_the_cluster_nodes_share_one_quorum_and_have_distinct_ports():
    cluster = KafkaCluster(3)
    taken: list[int] = []
    for node in cluster.nodes:
        node.allocate_ports(taken)
        taken += [node.port, node.controller_port]
    assert len(set(taken)) == 6
    voters = quorum_voters(cluster.nodes)
    assert voters.split(",") == [
        f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in cluster.nodes
    ]
    assert [n.node_id for n in cluster.nodes] == [1, 2, 3]
    assert all(n.replication == Replication(3, 2) for n in cluster.nodes)
    assert cluster.bootstrap_servers.split(",") == [f"127.0.0.1:{n.port}" for n in cluster.nodes]
    assert cluster.bootstrap_without(2).split(",") == [
        f"127.0.0.1:{n.port}" for n in cluster.nodes if n.node_id != 2
    ]


def test_one_broker_is_not_a_cluster():
    with pytest.raises(RuntimeError, match="at least two brokers"):
        KafkaCluster(1)


def test_a_lone_node_stays_its_own_single_voter():
    node = KafkaNode()
    assert (node.node_id, node.replication, node.voters) == (1, SINGLE, "")


@pytest.mark.parametrize("key", ["topic", "name"])
def test_partition_leaders_read_either_spelling_of_the_metadata(key):
    answer = [
        {key: "other", "partitions": [{"partition": 0, "leader": 9}]},
        {
            key: "hot",
            "partitions": [{"partition": 0, "leader": 2}, {"partition": 1, "leader": -1}],
        },
    ]
    assert partition_leaders(answer, "hot") == {0: 2, 1: -1}
    assert partition_leaders(answer, "absent") == {}


def test_cluster_faults_get_a_cluster_whatever_the_suite_was_asked_for():
    for name in ("leader-kill", "broker-freeze"):
        assert SCENARIOS[name].brokers == 3
        assert brokers_for(SCENARIOS[name], 1) == 3
    assert brokers_for(SCENARIOS["no-fault"], 1) == 1
    assert brokers_for(SCENARIOS["no-fault"], 3) == 3
    assert isinstance(SCENARIOS["leader-kill"], LeaderKill)
    assert isinstance(SCENARIOS["broker-freeze"], BrokerFreeze)


def test_the_redis_kill_scenario_kills_and_the_restart_one_does_not():
    kill, restart = SCENARIOS["redis-kill"], SCENARIOS["redis-restart"]
    assert isinstance(kill, RedisRestart) and isinstance(restart, RedisRestart)
    assert kill.kill and not restart.kill
    assert "kill -9" in kill.title and "SIGTERM" in restart.title


def test_devstack_redis_acknowledges_a_write_only_once_it_is_on_disk():
    assert RedisNode().fsync == "always"


def test_the_suite_takes_brokers_1_or_3():
    assert faults_cli.parse_args(["--brokers", "3"]).brokers == 3
    assert faults_cli.parse_args([]).brokers == 1
    with pytest.raises(SystemExit):
        faults_cli.parse_args(["--brokers", "2"])


def test_infra_takes_brokers_1_or_3(monkeypatch):
    asked: list[int] = []

    def infra(brokers: int = 1) -> int:
        asked.append(brokers)
        return 0

    monkeypatch.setattr(devstack_cli, "cmd_infra", infra)
    assert devstack_cli.main(["infra", "--brokers", "3"]) == 0
    assert devstack_cli.main(["infra"]) == 0
    assert asked == [3, 1]
    with pytest.raises(SystemExit):
        devstack_cli.main(["infra", "--brokers", "2"])


def test_a_cluster_node_gets_the_slower_quorum_timeouts_and_a_lone_node_does_not():
    extra = ["controller.quorum.fetch.timeout.ms=6000"]
    props = _props(server_properties("127.0.0.1:1", [], "/d", extra=extra))
    assert props["controller.quorum.fetch.timeout.ms"] == "6000"
    lone = _props(server_properties("127.0.0.1:1", [], "/d"))
    assert "controller.quorum.fetch.timeout.ms" not in lone
    assert "controller.quorum.fetch.timeout.ms=6000" in QUORUM_PROPERTIES


def test_a_controller_that_lost_its_bootstrap_is_seen_in_the_whole_log(tmp_path):
    log = tmp_path / "kafka.log"
    log.write_text(f"[..] WARN {BOOTSTRAP_LOST} in the log.\n" + "noise\n" * 5000)
    process = ServiceProcess("kafka-test", ["true"], log_path=log)
    assert _log_mentions(process, BOOTSTRAP_LOST)
    log.write_text("noise\n")
    assert not _log_mentions(process, BOOTSTRAP_LOST)


def test_a_service_hands_faststream_every_broker_not_one_host_named_after_the_list():
    # FastStream wraps a string in a one-element list and aiokafka then takes it
    # as one host "127.0.0.1:1,127.0.0.1" on port 3: every service failed to start.
    assert bootstrap_list("127.0.0.1:1, 127.0.0.1:2,127.0.0.1:3,") == [
        "127.0.0.1:1",
        "127.0.0.1:2",
        "127.0.0.1:3",
    ]
    assert bootstrap_list("127.0.0.1:9092") == ["127.0.0.1:9092"]
