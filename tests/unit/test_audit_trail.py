"""The audit trail's chain (runtime.audit) and its verifier (hubctl audit), on plain data."""

from contracts import channels, signers
from contracts import headers as h
from contracts.audit import GENESIS, AuditEntry, AuditKind
from hubctl.audit import Stored, verify_partition
from runtime.audit import (
    BEYOND,
    GENERATION_MARK,
    AuditChain,
    OutputStage,
    audit_event,
    entry_hash,
    new_generation,
)
from runtime.records import Outbound
from runtime.signing import new_signing_key, parse_trusted_keys, signer_for

GATEWAY = new_signing_key(signers.GATEWAY)
ADAPTER = new_signing_key("adapter-oss-nib")
TRUSTED = parse_trusted_keys(f"{GATEWAY.public_entry()},{ADAPTER.public_entry()}")


def event(n: int) -> Outbound:
    return audit_event(
        AuditKind.DECISION, f"SUB-{n}", actor="gateway", cause=None, details={"n": str(n)}
    )


async def no_head(_: str) -> None:
    return None


def head_of(record: Outbound):
    """A head reader that finds ``record`` as its chain's last entry."""
    entry = AuditEntry.model_validate_json(record.value or b"")

    async def read(_: str):
        return (entry.seq, entry_hash(record.value or b""))

    return read


def stage(chain: AuditChain, key=GATEWAY) -> OutputStage:
    return OutputStage(signer_for(key, channels.channels()), chain)


def stored(records: list[Outbound], first_offset: int = 0) -> list[Stored]:
    return [
        Stored(
            0,
            first_offset + i,
            r.key,
            r.value,
            tuple((n, v.encode()) for n, v in r.headers.items()),
        )
        for i, r in enumerate(records)
    ]


async def written(count: int, chain_id: str = "insw-gateway.0.topic") -> list[Outbound]:
    out = stage(AuditChain(chain_id, no_head))
    records = await out.prepare([event(n) for n in range(count)])
    out.settled(True)
    return records


async def test_entries_chain_from_genesis_and_a_run_of_them_verifies():
    records = await written(4)
    entries = [AuditEntry.model_validate_json(r.value or b"") for r in records]
    assert [e.seq for e in entries] == [0, 1, 2, 3]
    assert entries[0].prev == GENESIS
    assert entries[2].prev == entry_hash(records[1].value or b"")
    verdict = verify_partition(0, stored(records), TRUSTED, from_start=True)
    assert verdict.broken is None and verdict.checked == 4 and verdict.chains == 1


async def test_a_batch_signs_its_last_entry_only_and_every_other_record():
    """One signature proves the batch's run of entries; records of other topics keep theirs."""
    decided = Outbound.of(channels.NOTIFICATION_REQUESTED, b"{}", cause=None, correlation_id="S")
    records = await stage(AuditChain("c", no_head)).prepare([event(0), decided, event(1), event(2)])
    assert [h.SIGNATURE in r.headers for r in records] == [False, True, False, True]
    assert (
        verify_partition(
            0, stored([records[0], records[2], records[3]]), TRUSTED, from_start=True
        ).broken
        is None
    )


async def test_one_changed_byte_names_the_record():
    records = stored(await written(4))
    # In the signed last entry: its signature breaks.
    last = records[3]
    value = bytearray(last.value or b"")
    value[value.index(b'"n":"3"') + 5] = ord("9")
    tampered = [*records[:3], Stored(0, 3, last.key, bytes(value), last.headers)]
    verdict = verify_partition(0, tampered, TRUSTED, from_start=True)
    assert verdict.broken is not None and verdict.broken.offset == 3
    assert "SIGNATURE_INVALID" in verdict.broken.reason and verdict.checked == 0
    # In an unsigned entry: the signed link after it no longer holds, and it is named.
    victim = records[2]
    value = bytearray(victim.value or b"")
    value[value.index(b'"n":"2"') + 5] = ord("9")
    tampered = [*records[:2], Stored(0, 2, victim.key, bytes(value), victim.headers), last]
    verdict = verify_partition(0, tampered, TRUSTED, from_start=True)
    assert verdict.broken is not None and verdict.broken.offset == 2
    assert "is not the one seq 3 at offset 3 links to" in verdict.broken.reason
    assert verdict.checked == 0


async def test_an_unsigned_entry_whose_signed_headers_are_not_its_own_breaks_the_trail():
    """The hash chain covers the value only: the headers a signature would cover must follow it."""
    records = stored(await written(3))
    victim = records[1]
    headers = tuple((n, b"SUB-other" if n == h.CORRELATION_ID else v) for n, v in victim.headers)
    tampered = [records[0], Stored(0, 1, victim.key, victim.value, headers), records[2]]
    verdict = verify_partition(0, tampered, TRUSTED, from_start=True)
    assert verdict.broken is not None and verdict.broken.offset == 1
    assert "insw-correlation-id" in verdict.broken.reason


async def test_an_unsigned_entry_no_signature_follows_breaks_the_trail():
    """Something slipped in after a chain's last signed entry is never proven."""
    records = await written(2)
    slipped = await AuditChain("insw-gateway.0.topic", head_of(records[-1])).chain([event(5)])
    verdict = verify_partition(0, stored(records + slipped), TRUSTED, from_start=True)
    assert verdict.broken is not None and verdict.broken.offset == 2
    assert "no signed entry of its chain follows" in verdict.broken.reason
    assert verdict.checked == 2


async def test_a_batch_that_landed_in_part_and_was_written_again_is_skipped_not_verified():
    """An at-least-once publish cut short: the writer chains again from its last signed entry."""
    before = await written(2, "c")
    landed = (await stage(AuditChain("c", head_of(before[-1]))).prepare([event(5), event(6)]))[:1]
    again = await stage(AuditChain("c", head_of(before[-1]))).prepare([event(5), event(6)])
    verdict = verify_partition(0, stored(before + landed + again), TRUSTED, from_start=True)
    assert verdict.broken is None
    assert (verdict.checked, verdict.skipped) == (4, 1)


async def test_a_range_that_ends_inside_a_batch_is_read_on_for_its_signature():
    records = stored(await written(4))
    verdict = verify_partition(0, records, TRUSTED, from_start=True, stop=2)
    assert verdict.broken is None and verdict.checked == 2
    alone = verify_partition(0, records[:2], TRUSTED, from_start=True, stop=2)
    assert alone.broken is not None and "no signed entry" in alone.broken.reason


async def test_a_removed_or_reordered_entry_breaks_the_link_after_it():
    records = stored(await written(4))
    removed = records[:1] + records[2:]
    verdict = verify_partition(0, removed, TRUSTED, from_start=True)
    assert verdict.broken is not None and verdict.broken.offset == 2
    assert "seq 2 follows seq 0" in verdict.broken.reason
    swapped = [records[0], records[2], records[1], records[3]]
    assert verify_partition(0, swapped, TRUSTED, from_start=True).broken is not None


async def test_an_entry_a_writer_could_not_sign_breaks_the_trail():
    """An adapter's key does not sign the audit channel: its entry is refused by the verifier."""
    records = stored(await written(2))
    out = stage(AuditChain("adapter", no_head), key=ADAPTER)
    unsigned = await out.prepare([event(9)])
    verdict = verify_partition(0, records + stored(unsigned, 2), TRUSTED, from_start=True)
    assert verdict.broken is not None and verdict.broken.offset == 2
    assert "no signed entry of its chain follows" in verdict.broken.reason


async def test_an_aborted_batch_does_not_move_the_head_and_its_retry_chains_from_the_same_place():
    chain = AuditChain("c", no_head)
    out = stage(chain)
    first = await out.prepare([event(1)])
    out.settled(True)
    aborted = await out.prepare([event(2)])
    out.settled(False)
    retried = await out.prepare([event(2)])
    out.settled(True)
    seqs = [AuditEntry.model_validate_json(r.value or b"").seq for r in first + retried]
    assert seqs == [0, 1]
    assert AuditEntry.model_validate_json(aborted[0].value or b"").seq == 1
    assert verify_partition(0, stored(first + retried), TRUSTED, from_start=True).broken is None


async def test_a_restarted_writer_reads_its_head_back_and_continues_the_chain():
    before = await written(3, "c")
    last = AuditEntry.model_validate_json(before[-1].value or b"")

    async def head(chain_id: str):
        assert chain_id == "c"
        return (last.seq, entry_hash(before[-1].value or b""))

    restarted = stage(AuditChain("c", head))
    after = await restarted.prepare([event(7)])
    assert AuditEntry.model_validate_json(after[0].value or b"").seq == 3
    verdict = verify_partition(0, stored(before + after), TRUSTED, from_start=True)
    assert verdict.broken is None and verdict.checked == 4


async def test_a_range_not_starting_at_the_log_start_anchors_each_chain_at_its_first_entry():
    records = stored(await written(4))
    assert verify_partition(0, records[2:], TRUSTED, from_start=False).broken is None
    broken = verify_partition(0, records[2:], TRUSTED, from_start=True).broken
    assert broken is not None and "genesis" in broken.reason


async def test_records_of_other_topics_pass_the_chain_untouched():
    other = Outbound.of(channels.REGISTRATION_DECIDED, b"{}", cause=None, correlation_id="S")
    chain = AuditChain("c", no_head)
    assert await chain.chain([other]) == [other]


async def test_a_writer_whose_head_is_out_of_reach_starts_a_new_generation_from_genesis():
    """A new instance on months of audit trail: no endless scan, no second genesis under its id."""
    before = await written(3, "c")
    asked: list[str] = []

    async def beyond(chain_id: str):
        asked.append(chain_id)
        return BEYOND

    restarted = AuditChain("c", beyond)
    after = await stage(restarted).prepare([event(7), event(8)])
    entries = [AuditEntry.model_validate_json(r.value or b"") for r in after]
    assert asked == ["c"]
    assert restarted.chain_id.startswith("c" + GENERATION_MARK) and restarted.chain_id != "c"
    assert {e.chain for e in entries} == {restarted.chain_id}
    assert [e.seq for e in entries] == [0, 1] and entries[0].prev == GENESIS
    assert [r.key for r in after] == [restarted.chain_id.encode()] * 2
    # The old generation and the new one side by side: both whole.
    verdict = verify_partition(0, stored(before + after), TRUSTED, from_start=True)
    assert verdict.broken is None and verdict.chains == 2


def test_generations_of_one_writer_never_share_an_id():
    ids = {new_generation("insw-gateway.vm.topic", now=1_700_000_000.0) for _ in range(100)}
    assert len(ids) == 100
    assert all(i.startswith("insw-gateway.vm.topic" + GENERATION_MARK) for i in ids)
