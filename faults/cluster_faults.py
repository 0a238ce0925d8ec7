"""Faults of one broker in a three-broker cluster: a partition leader killed, a broker frozen.

Why the leader of the hot topic's partition: that broker holds the only copy
producers write to and consumers read from; killing it (``kill -9``, no
controlled shutdown, no leadership handed over) forces an unclean-looking
failover that replication (3 copies, ``min.insync.replicas=2``) and
``acks=all`` must make clean: a new leader from the in-sync followers, no
acknowledged record lost, no decision twice. A frozen broker (SIGSTOP) is
the nastier twin: its sockets stay open, so clients see no error, only
silence, until the controller fences it and they time out; when it thaws
it still thinks it leads and must step down.
"""

import asyncio

from contracts import topics
from devstack.kafka_cluster import QUORUM, KafkaCluster
from faults.run import FaultRun, Scenario

HOT_TOPIC = topics.REGISTRATION_SUBMITTED
"""Every registration of the load is produced here first."""
HOT_PARTITION = 0
STRIKE_SHARE = 0.05
"""Strike once this share of the load is decided: busy hub, most of the load in flight."""
DOWN_S = 10.0
"""How long the killed broker stays dead before it is started again."""
FREEZE_S = 30.0


def cluster_of(run: FaultRun) -> KafkaCluster:
    """The run's cluster; a scenario of this module on a single broker is a harness bug."""
    kafka = run.stack.infra.kafka
    if not isinstance(kafka, KafkaCluster):
        raise RuntimeError("this fault needs a Kafka cluster (--brokers 3)")
    return kafka


async def hot_leader(run: FaultRun, cluster: KafkaCluster) -> int:
    """The broker leading the hot partition now."""
    leaders = await cluster.wait_for_leaders(HOT_TOPIC)
    if HOT_PARTITION not in leaders or leaders[HOT_PARTITION] < 0:
        raise RuntimeError(f"{HOT_TOPIC}[{HOT_PARTITION}] has no leader: {leaders}")
    return leaders[HOT_PARTITION]


async def strike_hot_leader(run: FaultRun, how: str) -> tuple[KafkaCluster, int]:
    """Once the load flows, mark the fault ``how`` on the hot partition's leader; which one."""
    await run.until(decided=STRIKE_SHARE)
    cluster = cluster_of(run)
    victim = await hot_leader(run, cluster)
    run.fault(f"{how} broker {victim}, leader of {HOT_TOPIC}[{HOT_PARTITION}]")
    return cluster, victim


async def note_failover(
    run: FaultRun, cluster: KafkaCluster, victim: int, wait_s: float = 60.0
) -> None:
    """Note who leads the hot partition after ``victim`` stopped; a problem if still ``victim``."""
    leaders = await cluster.wait_for_leaders(HOT_TOPIC, gone=victim, wait_s=wait_s)
    after = leaders.get(HOT_PARTITION, -1)
    run.note(f"{HOT_TOPIC}[{HOT_PARTITION}] now led by broker {after}")
    if after in (victim, -1):
        run.problem(f"no other broker took over {HOT_TOPIC}[{HOT_PARTITION}] in {wait_s:.0f}s")


class LeaderKill(Scenario):
    """``kill -9`` the broker leading the hot partition under load, start it again later."""

    name = "leader-kill"
    title = (
        f"kill -9 the leader of {HOT_TOPIC}[{HOT_PARTITION}] under load "
        f"({QUORUM} brokers), start it again {DOWN_S:.0f} s later"
    )
    brokers = QUORUM

    async def inject(self, run: FaultRun) -> None:
        """Once the load flows: kill the leader, see a follower take over, restart the victim."""
        cluster, victim = await strike_hot_leader(run, "kill -9")
        cluster.crash(victim)
        await note_failover(run, cluster, victim)
        await asyncio.sleep(DOWN_S)
        took = await asyncio.to_thread(cluster.relaunch, victim)
        run.note(f"broker {victim} started again (same ports and data), answering in {took:.1f}s")


class BrokerFreeze(Scenario):
    """SIGSTOP the broker leading the hot partition for 30 s under load, then SIGCONT it."""

    name = "broker-freeze"
    title = (
        f"SIGSTOP the leader of {HOT_TOPIC}[{HOT_PARTITION}] for {FREEZE_S:.0f} s under load "
        f"({QUORUM} brokers), then SIGCONT"
    )
    brokers = QUORUM

    async def inject(self, run: FaultRun) -> None:
        """Once the load flows: freeze the leader, see it replaced, thaw it after FREEZE_S."""
        cluster, victim = await strike_hot_leader(run, "SIGSTOP")
        cluster.freeze(victim)
        frozen_at = asyncio.get_running_loop().time()
        try:
            await note_failover(run, cluster, victim, wait_s=FREEZE_S)
            left = FREEZE_S - (asyncio.get_running_loop().time() - frozen_at)
            await asyncio.sleep(max(0.0, left))
        finally:
            cluster.thaw(victim)
        run.note(f"SIGCONT broker {victim} after {FREEZE_S:.0f}s")
