"""Signed decision inputs (issue 11): what verifies, what is refused, and what survives a move."""

import base64
from dataclasses import replace

import pytest
from pydantic import SecretStr

from contracts import channels, signers
from contracts import headers as h
from contracts.audit import AuditKind
from contracts.topics import dead_letter_topic
from hubctl.dlq_letters import DeadLetter, prepare
from runtime.consumer import HandlerResult
from runtime.deadletter import dead_letter
from runtime.errors import PoisonMessage
from runtime.records import Inbound, Outbound
from runtime.retry import RetryPolicy
from runtime.sealing import DeadLetterSeal, new_key
from runtime.secrets import InsecureSecret
from runtime.settings import InfraSettings
from runtime.signing import (
    KeyProblem,
    SignatureInvalid,
    TrustedKeys,
    canonical,
    development_key,
    new_signing_key,
    parse_signing_key,
    parse_trusted_keys,
    signer_for,
    verified,
)

CEISA = new_signing_key(signers.CEISA)
GATEWAY = new_signing_key(signers.GATEWAY)
OSS = new_signing_key("adapter-oss-nib")
TRUSTED = parse_trusted_keys(",".join(k.public_entry() for k in (CEISA, GATEWAY, OSS)))
ACCEPTANCE = b"<RegistrationAcceptance>...</RegistrationAcceptance>"


def outbound(channel: channels.Channel = channels.CEISA_RESPONSE, value: bytes = ACCEPTANCE):
    return Outbound.of(channel, value, cause=None, correlation_id="SUB-1")


def consumed(record: Outbound, offset: int = 7) -> Inbound:
    raw = tuple((n, v.encode()) for n, v in record.headers.items())
    return Inbound(record.topic, 0, offset, record.key, record.value, raw)


async def run(channel: channels.Channel, records: list[Inbound], trusted: TrustedKeys = TRUSTED):
    seen: list[Inbound] = []

    async def handler(batch):
        seen.extend(batch)
        return HandlerResult()

    result = await verified(channel, handler, trusted)(records)
    return seen, result.dead


async def test_a_record_signed_by_an_accepted_signer_reaches_the_handler_with_its_signer():
    seen, dead = await run(channels.CEISA_RESPONSE, [consumed(CEISA.sign(outbound()))])
    assert dead == [] and [r.signer for r in seen] == [signers.CEISA]


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda r: replace(r, headers={}), id="unsigned"),
        pytest.param(lambda r: replace(r, value=r.value.replace(b"...", b"..!")), id="value"),
        pytest.param(lambda r: replace(r, key=b"SUB-2"), id="key-of-another-submission"),
        pytest.param(
            lambda r: replace(r, headers={**r.headers, h.CORRELATION_ID: "SUB-2"}),
            id="correlation-id",
        ),
        pytest.param(
            lambda r: replace(r, headers={**r.headers, h.SIGNATURE: "AAAA"}), id="garbage"
        ),
        pytest.param(
            lambda r: replace(r, headers={**r.headers, h.SIGNER: "ceisa.unknown"}),
            id="unknown-key-id",
        ),
    ],
)
async def test_a_forged_ceisa_acceptance_is_dead_lettered_signature_invalid(forge):
    forged = consumed(forge(CEISA.sign(outbound())))
    seen, dead = await run(channels.CEISA_RESPONSE, [forged])
    assert seen == []
    [(_, error)] = dead
    assert isinstance(error, SignatureInvalid) and isinstance(error, PoisonMessage)
    assert str(error).startswith("SIGNATURE_INVALID")
    assert "<Registration" not in str(error)  # never the value


def _signature_bytes(record: Outbound) -> bytes:
    text = record.headers[h.SIGNATURE]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _with_signature(record: Outbound, signature: bytes) -> Outbound:
    text = base64.urlsafe_b64encode(signature).decode().rstrip("=")
    return replace(record, headers={**record.headers, h.SIGNATURE: text})


@pytest.mark.parametrize(
    "bend",
    [
        pytest.param(lambda sig: sig[:63], id="one-byte-short"),
        pytest.param(lambda sig: sig + b"\x00", id="one-byte-long"),
        pytest.param(lambda sig: sig[:32] + bytes(32), id="scalar-zeroed"),
        pytest.param(lambda sig: bytes([sig[0] ^ 1]) + sig[1:], id="point-bit-flipped"),
    ],
)
async def test_a_bent_signature_of_the_right_signer_is_refused(bend):
    """libsodium verifies (runtime.signing._SIG_BYTES): a near-miss is still a miss."""
    record = CEISA.sign(outbound())
    seen, dead = await run(
        channels.CEISA_RESPONSE, [consumed(_with_signature(record, bend(_signature_bytes(record))))]
    )
    assert seen == [] and "does not match the record" in str(dead[0][1])


async def test_signatures_are_rfc_8032_bytes_whichever_library_made_or_checks_them():
    """An agency may sign with any Ed25519 library; the hub's own signatures verify anywhere."""
    record = CEISA.sign(outbound())
    signed: dict[str, bytes] = {
        n: record.headers[n].encode() for n in h.SIGNED if n in record.headers
    }
    message = canonical(CEISA.key_id, record.key, record.value, signed)
    CEISA.private.public_key().verify(_signature_bytes(record), message)  # OpenSSL accepts ours
    by_openssl = _with_signature(record, CEISA.private.sign(message))
    seen, dead = await run(channels.CEISA_RESPONSE, [consumed(by_openssl)])
    assert dead == [] and [r.signer for r in seen] == [signers.CEISA]


async def test_a_signer_the_channel_does_not_accept_is_refused():
    """The gateway's key is valid, but only CEISA writes customs responses."""
    seen, dead = await run(channels.CEISA_RESPONSE, [consumed(GATEWAY.sign(outbound()))])
    assert seen == [] and "may not write this channel" in str(dead[0][1])


async def test_a_signed_record_moved_to_another_signed_channel_is_refused():
    """The signed schema header binds a signature to its channel's model."""
    notification = GATEWAY.sign(outbound(channels.NOTIFICATION_REQUESTED, b"{}"))
    moved = replace(consumed(notification), topic=channels.MANUAL_DECISION.topic)
    seen, dead = await run(channels.MANUAL_DECISION, [moved])
    assert seen == [] and "signed schema" in str(dead[0][1])


async def test_keys_rotate_by_key_id_and_a_dropped_id_stops_verifying():
    newer = new_signing_key(signers.CEISA)
    both = parse_trusted_keys(f"{TRUSTED.render()},{newer.public_entry()}")
    records = [consumed(CEISA.sign(outbound()), 1), consumed(newer.sign(outbound()), 2)]
    seen, dead = await run(channels.CEISA_RESPONSE, records, both)
    assert [r.offset for r in seen] == [1, 2] and dead == []
    only_new = parse_trusted_keys(f"{GATEWAY.public_entry()},{newer.public_entry()}")
    seen, dead = await run(channels.CEISA_RESPONSE, records, only_new)
    assert [r.offset for r in seen] == [2] and "unknown key id" in str(dead[0][1])


@pytest.mark.parametrize("batched", [False, True])
def test_a_retried_dead_lettered_and_re_driven_record_still_verifies(batched):
    """The signature headers are lineage: kept on T.retry, on T.dlq and by hubctl's re-drive,
    the path of a record signed in a batch too."""
    if batched:
        signed = CEISA.sign_batch(
            [outbound(value=b"<first/>"), outbound(), outbound(value=b"<x/>")]
        )
        assert h.SIGNATURE_PATH in signed[1].headers
        original = consumed(signed[1])
    else:
        original = consumed(CEISA.sign(outbound()))
    parked = RetryPolicy((1.0,)).park(original, RuntimeError("x"))
    assert parked is not None
    seal = DeadLetterSeal(new_key())
    letter = dead_letter(consumed(parked), PoisonMessage("refused"), seal)
    assert letter.topic == dead_letter_topic(channels.CEISA_RESPONSE.topic)
    stored = DeadLetter(
        letter.topic,
        0,
        3,
        letter.key,
        letter.value,
        tuple((n, v.encode()) for n, v in letter.headers.items()),
    )
    redrive = prepare(stored, seal)
    assert redrive.topic == channels.CEISA_RESPONSE.topic
    assert dict(redrive.headers)[h.MESSAGE_ID] != original.message_id.encode()  # a fresh id
    signer = TRUSTED.verify(
        redrive.key,
        redrive.value,
        redrive.headers,
        channels.CEISA_RESPONSE.signers,
        channels.CEISA_RESPONSE.schema_id,
    )
    assert signer == signers.CEISA


def test_a_process_signs_only_channels_that_accept_its_signer():
    sign = signer_for(OSS, channels.channels())
    answer = outbound(channels.VERIFICATION_COMPLETED, b"{}")
    decision = outbound(channels.REGISTRATION_DECIDED, b"{}")
    customs = outbound(channels.CEISA_RESPONSE)
    signed = sign([answer, decision, customs])
    assert [h.SIGNATURE in r.headers for r in signed] == [True, False, False]


def test_the_registry_refuses_a_signing_key_it_does_not_list_or_that_differs():
    with pytest.raises(KeyProblem, match="not in HUB_TRUSTED_KEYS"):
        parse_signing_key(new_signing_key(signers.CEISA).secret_text(), TRUSTED)
    impostor = new_signing_key(signers.CEISA)
    text = f"{CEISA.key_id}:{impostor.secret_text().partition(':')[2]}"
    with pytest.raises(KeyProblem, match="does not match"):
        parse_signing_key(text, TRUSTED)
    assert parse_signing_key(CEISA.secret_text(), TRUSTED).signer == signers.CEISA


def test_private_keys_are_secrets_refused_unset_or_public_outside_development():
    registry = SecretStr
    production = InfraSettings(hub_env="production", hub_trusted_keys=TRUSTED.render())
    with pytest.raises(InsecureSecret, match="HUB_SIGNING_KEY is not set"):
        production.signing_key(TRUSTED, signers.CEISA)
    dev = development_key(signers.CEISA)
    dev_trusted = parse_trusted_keys(f"{TRUSTED.render()},{dev.public_entry()}")
    public = InfraSettings(hub_env="production", hub_signing_key=registry(dev.secret_text()))
    with pytest.raises(InsecureSecret, match="well-known development value"):
        public.signing_key(dev_trusted, signers.CEISA)
    wrong = InfraSettings(hub_signing_key=registry(GATEWAY.secret_text()))
    with pytest.raises(InsecureSecret, match="belongs to gateway"):
        wrong.signing_key(TRUSTED, signers.CEISA)
    with pytest.raises(InsecureSecret, match="HUB_TRUSTED_KEYS is not set"):
        InfraSettings(hub_env="production").trusted_keys()
    development = InfraSettings(hub_env="development")
    found = development.signing_key(development.trusted_keys(), signers.CEISA)
    assert found is not None and found.key_id == dev.key_id


def test_key_material_never_shows_in_settings_reprs():
    settings = InfraSettings(hub_signing_key=SecretStr(CEISA.secret_text()))
    assert CEISA.secret_text() not in repr(settings)


def test_audit_kinds_cover_every_outcome_changing_event():
    assert {k.value for k in AuditKind} >= {
        "ANSWER_ACCEPTED",
        "OFFICER_ACTION",
        "DECISION",
        "CUSTOMS_RESPONSE",
    }
