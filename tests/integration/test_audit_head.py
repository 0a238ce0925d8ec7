"""Reading an audit chain's head back from a real broker, with the look-back bounded.

Why on a broker: the head is found by seeking and fetching ``read_committed``
from the end of the chain's partition; what counts is what aiokafka and the
broker return, positions and end offsets included.
"""

from contracts import channels, signers
from contracts import headers as h
from contracts.audit import AuditEntry, AuditKind
from devstack.kafka import create_topics_async
from runtime.audit import (
    BEYOND,
    AuditChain,
    OutputStage,
    audit_event,
    entry_hash,
    last_entry,
    signed_by,
)
from runtime.signing import new_signing_key, parse_trusted_keys, signer_for
from tests.kafka_io import committed_reader, produce

KEY = new_signing_key(signers.GATEWAY)


Produced = list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]


async def entries(chain_id: str, count: int) -> Produced:
    async def none(_: str) -> None:
        return None

    stage = OutputStage(signer_for(KEY, channels.channels()), AuditChain(chain_id, none))
    events = [
        audit_event(AuditKind.DECISION, f"SUB-{n}", actor="gateway", cause=None)
        for n in range(count)
    ]
    records = await stage.prepare(events)
    return [
        (r.key, r.value or b"", [(n, v.encode()) for n, v in r.headers.items()]) for r in records
    ]


async def head_of(bootstrap: str, topic: str, chain_id: str, limit: int, proven=None):
    async with committed_reader(bootstrap) as consumer:
        return await last_entry(consumer, topic, chain_id, limit=limit, proven=proven)


async def test_a_head_is_found_within_reach_and_beyond_it_is_said_so(
    bootstrap_servers, unique_topic
):
    await create_topics_async(bootstrap_servers, [unique_topic], partitions=1)
    old = await entries("old-writer", 3)
    filler: Produced = [(b"other", b"{}", []) for _ in range(40)]
    recent = await entries("recent-writer", 2)
    await produce(bootstrap_servers, unique_topic, [*old, *filler, *recent])

    assert await head_of(bootstrap_servers, unique_topic, "recent-writer", limit=10) == (
        1,
        entry_hash(recent[-1][1]),
    )
    assert await head_of(bootstrap_servers, unique_topic, "old-writer", limit=10) is BEYOND
    assert await head_of(bootstrap_servers, unique_topic, "old-writer", limit=1000) == (
        2,
        entry_hash(old[-1][1]),
    )
    assert await head_of(bootstrap_servers, unique_topic, "never-wrote", limit=1000) is None


async def test_an_empty_partition_has_no_head(bootstrap_servers, unique_topic):
    await create_topics_async(bootstrap_servers, [unique_topic], partitions=1)
    assert await head_of(bootstrap_servers, unique_topic, "new-writer", limit=10) is None


async def test_a_writer_reads_back_its_last_signed_entry_not_an_unsigned_one_slipped_in_after(
    bootstrap_servers, unique_topic
):
    """Only the last entry of a batch is signed: an unsigned entry is never a head to link to.

    Were it one, anyone able to write the topic could add an entry to a
    writer's chain before its restart, and the writer's next signed entry
    would vouch for it.
    """
    await create_topics_async(bootstrap_servers, [unique_topic], partitions=1)
    mine = await entries("writer", 3)
    assert [any(n == h.SIGNATURE for n, _ in r[2]) for r in mine] == [False, False, True]
    last = (2, entry_hash(mine[-1][1]))
    slipped = entries_after(mine[-1][1], "writer")
    await produce(bootstrap_servers, unique_topic, [*mine, slipped])
    proven = signed_by(parse_trusted_keys(KEY.public_entry()), signers.GATEWAY)
    assert await head_of(bootstrap_servers, unique_topic, "writer", 100, proven) == last
    assert await head_of(bootstrap_servers, unique_topic, "writer", 100) == (
        3,
        entry_hash(slipped[1]),
    )


def entries_after(previous: bytes, chain_id: str):
    """An unsigned entry that links to ``previous``, as anyone could write it."""
    before = AuditEntry.model_validate_json(previous)
    forged = AuditEntry(
        chain=chain_id,
        seq=before.seq + 1,
        prev=entry_hash(previous),
        event=before.event,
    )
    return (chain_id.encode(), forged.model_dump_json().encode(), [])
