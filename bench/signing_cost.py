"""``python -m bench.signing_cost``: what Ed25519 signatures cost per registration, in CPU.

Why a separate measure: every service signs and verifies with the same code
path whether the broker is authenticated or not, so ``--tls-cost`` compares
two runs that both sign. This measures the signing work itself with the
hub's own code (:mod:`runtime.signing`) on records shaped like one
approved registration's decision inputs, in process CPU time (so the rest of
a shared machine's load does not count):

* the three agency answers: signed by their adapter, verified by the gateway;
* the notification request: signed by the gateway, verified by the notifier.

Not counted: the four audit entries (three answers accepted, one decision).
Since stop 23 a batch signs only its last audit entry, which proves the
others through the hash chain (:class:`runtime.audit.OutputStage`), so at
full load, batches of hundreds, they cost next to nothing per registration;
at a trickle, one signature per batch of one or two.

Since stop 25 a hop signs the records it sends together under one signature
(:mod:`runtime.signature_batches`); the ``batched`` figure does the same work
that way, ``--batch`` registrations per batch (50 by default), each record
still verified on its own by a verifier that remembers the roots it checked.
The per-record figures above it are kept: a record sent alone is signed so.

It prints the CPU per registration, the per-operation costs, and the
fraction that is of a given hub CPU per registration (``--hub-cpu-ms``, from
``./hub bench``'s "machine CPU per registration" figure of the same machine).
"""

import argparse
import json
import time
from collections.abc import Sequence

from contracts import channels, signers
from contracts import headers as h
from contracts.decision import Outcome
from contracts.notification import NotificationRequested
from contracts.verification import (
    NibAnswer,
    NibRecord,
    NikAnswer,
    NikMatch,
    NpwpAnswer,
    NpwpRecord,
    ResponsiblePerson,
)
from runtime.records import Outbound
from runtime.signing import SigningKey, development_key, development_registry, signer_for

SID = "BENCH-SIGNING-0001"


def _answers() -> list[Outbound]:
    person = ResponsiblePerson(identity_type="KTP", identity_number="3171011708850001", name="B")
    nib = NibAnswer(
        submission_id=SID,
        outcome="VERIFIED",
        identifier="9120001234567",
        request_id="r" * 32,
        nib_record=NibRecord(
            nib="9120001234567",
            company_name="PT Contoh Logistik",
            npwp="012345678901000",
            status="01",
            kbli=["46100", "52291"],
            responsible_persons=[person, person],
        ),
    )
    npwp = NpwpAnswer(
        submission_id=SID,
        outcome="VERIFIED",
        identifier="012345678901000",
        request_id="r" * 32,
        npwp_record=NpwpRecord(npwp="0012345678901000", active=True, taxpayer_name="PT CONTOH"),
    )
    nik = NikAnswer(
        submission_id=SID,
        outcome="VERIFIED",
        identifier="3171011708850001",
        request_id="r" * 32,
        nik_match=NikMatch(nik_found=True, name_matches=True),
    )
    return [
        Outbound.of(channels.VERIFICATION_COMPLETED, a, cause=None, correlation_id=SID)
        for a in (nib, npwp, nik)
    ]


def _notification() -> Outbound:
    request = NotificationRequested(
        decision_id="d" * 32,
        submission_id=SID,
        outcome=Outcome.APPROVED,
        username="4C7ADA",
        applicant_name="Budi Santoso",
        email="budi@example.co.id",
        organisation_name="PT Contoh Logistik",
    )
    return Outbound.of(channels.NOTIFICATION_REQUESTED, request, cause=None, correlation_id=SID)


def _raw(record: Outbound) -> list[tuple[str, bytes]]:
    """The headers as a consumer reads them off Kafka (bytes)."""
    return [(name, value.encode()) for name, value in record.headers.items()]


def _cpu_per(rounds: int, work: list[tuple[SigningKey, Outbound]]) -> float:
    started = time.process_time()
    for _ in range(rounds):
        for key, record in work:
            key.sign(record)
    return (time.process_time() - started) / (rounds * len(work))


def measure(rounds: int) -> dict[str, float]:
    """CPU seconds per sign, per verify and per registration."""
    adapters = [development_key(s) for s in signers.AGENCY_SIGNERS]
    gateway = development_key(signers.GATEWAY)
    trusted = development_registry()
    answers = [key.sign(a) for key, a in zip(adapters, _answers(), strict=True)]
    note = gateway.sign(_notification())
    to_sign = [*zip(adapters, _answers(), strict=True), (gateway, _notification())]
    per_sign = _cpu_per(rounds, to_sign)
    to_verify: Sequence[tuple[Outbound, frozenset[str]]] = [
        *((a, channels.VERIFICATION_COMPLETED.signers) for a in answers),
        (note, channels.NOTIFICATION_REQUESTED.signers),
    ]
    started = time.process_time()
    for _ in range(rounds):
        for record, accepted in to_verify:
            trusted.verify(record.key, record.value, _raw(record), accepted)
    per_verify = (time.process_time() - started) / (rounds * len(to_verify))
    per_registration = per_sign * len(to_sign) + per_verify * len(to_verify)
    return {
        "signatures_per_registration": len(to_sign),
        "verifications_per_registration": len(to_verify),
        "sign_us": per_sign * 1e6,
        "verify_us": per_verify * 1e6,
        "cpu_ms_per_registration": per_registration * 1e3,
    }


def _answers_of(sid: str) -> list[Outbound]:
    """:func:`_answers` for another submission: another batch's records, another root."""
    return [
        Outbound(r.topic, sid.encode(), r.value, {**r.headers, h.CORRELATION_ID: sid})
        for r in _answers()
    ]


def measure_batched(rounds: int, batch: int) -> dict[str, float]:
    """The same work as :func:`measure` with batches of ``batch`` registrations, as a hop
    sends them since stop 25: one signature per chunk (``runtime.signature_batches``),
    each record verified alone by a verifier that remembers the roots it checked."""
    adapters = [development_key(s) for s in signers.AGENCY_SIGNERS]
    gateway = development_key(signers.GATEWAY)
    trusted = development_registry()
    signs = [signer_for(k, [channels.VERIFICATION_COMPLETED]) for k in adapters]
    sign_notes = signer_for(gateway, [channels.NOTIFICATION_REQUESTED])
    work = []
    for r in range(rounds):
        per_adapter = [
            [_answers_of(f"{SID}-{r}-{i}")[a] for i in range(batch)] for a in range(len(adapters))
        ]
        work.append((per_adapter, [_notification() for _ in range(batch)]))
    signed: list[tuple[Outbound, frozenset[str]]] = []
    started = time.process_time()
    for per_adapter, notes in work:
        for sign, records in zip(signs, per_adapter, strict=True):
            signed += ((a, channels.VERIFICATION_COMPLETED.signers) for a in sign(records))
        signed += ((n, channels.NOTIFICATION_REQUESTED.signers) for n in sign_notes(notes))
    signing = time.process_time() - started
    consumed = [(r.key, r.value, _raw(r), accepted) for r, accepted in signed]
    started = time.process_time()
    for key, value, headers, accepted in consumed:
        trusted.verify(key, value, headers, accepted)
    verifying = time.process_time() - started
    registrations = rounds * batch
    return {
        "batch_registrations": batch,
        "sign_us_per_registration": signing / registrations * 1e6,
        "verify_us_per_registration": verifying / registrations * 1e6,
        "cpu_ms_per_registration": (signing + verifying) / registrations * 1e3,
    }


def main() -> None:
    """Measure and print the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.signing_cost", description=__doc__)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--hub-cpu-ms", type=float, default=None)
    parser.add_argument(
        "--batch", type=int, default=50, help="registrations per batch for the batched figure"
    )
    args = parser.parse_args()
    figures = measure(args.rounds)
    if args.hub_cpu_ms:
        figures["share_of_hub_cpu"] = figures["cpu_ms_per_registration"] / args.hub_cpu_ms
        without = args.hub_cpu_ms - figures["cpu_ms_per_registration"]
        figures["with_over_without"] = args.hub_cpu_ms / without
    batched = measure_batched(max(1, args.rounds // args.batch), args.batch)
    report: dict[str, object] = {
        **figures,
        "batched": batched,
        "batched_over_per_record": batched["cpu_ms_per_registration"]
        / figures["cpu_ms_per_registration"],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
