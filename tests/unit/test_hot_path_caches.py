"""Issue 15: what the gateway's hot path now computes once still refuses what it refused.

Key ids are looked up by their raw header bytes and each key's canonical
prefix is built once; answers are decoded in one pass through a union of the
agencies' models. Each shortcut must give the bytes and the refusals the
slow path gave.
"""

import struct
import uuid
from dataclasses import replace

import pytest
from pydantic import ValidationError

from contracts import channels, signers
from contracts import headers as h
from contracts.agencies import AGENCIES, SHIPPED, Agencies
from contracts.facts import parse_npwp
from contracts.headers import new_message_id
from contracts.verification import AgencyAnswer, CheckOutcome, NikAnswer, NpwpAnswer
from runtime.records import Inbound, Outbound
from runtime.signing import (
    DOMAIN,
    SignatureInvalid,
    TrustedKey,
    TrustedKeys,
    canonical,
    new_signing_key,
    parse_trusted_keys,
)

CEISA = new_signing_key(signers.CEISA)
ACCEPTANCE = b"<RegistrationAcceptance>...</RegistrationAcceptance>"


def documented_canonical(
    key_id: str, key: bytes | None, value: bytes | None, signed: dict[str, bytes]
) -> bytes:
    """The module docstring's layout, written out independently of the code under test."""

    def field(raw: bytes | None) -> bytes:
        return struct.pack(">I", 0xFFFFFFFF) if raw is None else struct.pack(">I", len(raw)) + raw

    out = DOMAIN + field(key_id.encode()) + field(key) + field(value)
    return out + b"".join(field(signed.get(name)) for name in h.SIGNED)


@pytest.mark.parametrize(
    ("key", "value", "signed"),
    [
        (b"SUB-1", ACCEPTANCE, {h.CORRELATION_ID: b"SUB-1", h.SCHEMA: b"s", h.CONTENT_TYPE: b"x"}),
        (None, None, {}),
        (b"", b"", {h.SCHEMA: b"only the schema", h.SIGNER: b"not signed"}),
    ],
)
def test_canonical_bytes_are_the_documented_layout(key, value, signed):
    assert canonical("ceisa.abc", key, value, signed) == documented_canonical(
        "ceisa.abc", key, value, signed
    )


def consumed(record: Outbound) -> Inbound:
    raw = tuple((n, v.encode()) for n, v in record.headers.items())
    return Inbound(record.topic, 0, 0, record.key, record.value, raw)


def signed_acceptance() -> Inbound:
    record = Outbound.of(channels.CEISA_RESPONSE, ACCEPTANCE, cause=None, correlation_id="SUB-1")
    return consumed(CEISA.sign(record))


def verify(trusted: TrustedKeys, record: Inbound) -> str:
    return trusted.verify(record.key, record.value, record.headers, channels.CEISA_RESPONSE.signers)


def test_a_signature_verifies_with_its_key_and_is_refused_once_the_id_is_dropped():
    record = signed_acceptance()
    assert verify(parse_trusted_keys(CEISA.public_entry()), record) == signers.CEISA
    newer = new_signing_key(signers.CEISA)
    with pytest.raises(SignatureInvalid, match="unknown key id"):
        verify(parse_trusted_keys(newer.public_entry()), record)


def test_the_same_key_id_with_another_public_key_is_refused():
    """The registry's key-id lookup finds the row's key, not a key cached under the id."""
    record = signed_acceptance()
    other = new_signing_key(signers.CEISA)
    impostor = TrustedKeys([TrustedKey(CEISA.key_id, signers.CEISA, other.private.public_key())])
    with pytest.raises(SignatureInvalid, match="does not match"):
        verify(impostor, record)


def test_a_key_id_header_that_is_not_utf8_is_an_unknown_key_id():
    record = signed_acceptance()
    headers = [(n, b"\xff\xfe" if n == h.SIGNER else v) for n, v in record.headers]
    bad = Inbound(record.topic, 0, 0, record.key, record.value, headers)
    with pytest.raises(SignatureInvalid, match="unknown key id"):
        verify(parse_trusted_keys(CEISA.public_entry()), bad)


def test_a_re_signed_record_carries_one_signature_of_the_new_key():
    first = CEISA.sign(
        Outbound.of(channels.CEISA_RESPONSE, ACCEPTANCE, cause=None, correlation_id="S")
    )
    newer = new_signing_key(signers.CEISA)
    again = consumed(newer.sign(first))
    assert [n for n, _ in again.headers].count(h.SIGNATURE) == 1
    assert verify(parse_trusted_keys(newer.public_entry()), again) == signers.CEISA


def nik_answer(**fields) -> bytes:
    answer = NikAnswer(submission_id="SUB-1", outcome=CheckOutcome.VERIFIED, **fields)
    return answer.model_dump_json().encode()


def test_an_answer_decodes_to_its_agency_model_in_one_pass():
    assert type(SHIPPED.decode_answer(nik_answer())) is NikAnswer


def test_an_answer_for_no_agency_is_still_refused_naming_the_check():
    value = nik_answer().replace(b'"NIK"', b'"PASSPORT"')
    with pytest.raises(ValueError, match="check: no agency answers 'PASSPORT'"):
        SHIPPED.decode_answer(value)
    with pytest.raises(ValidationError):
        SHIPPED.decode_answer(b'{"check": "NIK"}')


def test_agencies_whose_models_share_no_tag_still_decode_with_each_check_s_model():
    nik = next(spec for spec in AGENCIES if spec.check == "NIK")
    renamed = Agencies([replace(nik, answer=AgencyAnswer)])
    answer = renamed.decode_answer(nik_answer())
    assert type(answer) is AgencyAnswer and answer.check == "NIK"


def test_an_answer_tagged_for_a_model_its_check_does_not_use_is_refused():
    """Models swapped between two checks: the union's pick by tag must not be taken."""
    nik = next(spec for spec in AGENCIES if spec.check == "NIK")
    npwp = next(spec for spec in AGENCIES if spec.check == "NPWP")
    odd = Agencies([replace(nik, answer=NpwpAnswer), replace(npwp, answer=NikAnswer)])
    with pytest.raises(ValueError):
        odd.decode_answer(nik_answer(nik_match={"nik_found": True, "name_matches": True}))


def test_npwp_parsing_is_cached_and_still_refuses_a_malformed_value():
    assert parse_npwp("01.234.567.8-901.000") is parse_npwp("01.234.567.8-901.000")
    parsed = parse_npwp("01.234.567.8-901.000")
    assert parsed is not None and parsed.canonical == "0012345678901000"
    assert parse_npwp("12345") is None


def test_message_ids_are_random_version_4_uuids_as_32_hex_digits():
    ids = {new_message_id() for _ in range(2000)}
    assert len(ids) == 2000
    for message_id in ids:
        parsed = uuid.UUID(hex=message_id)
        assert parsed.hex == message_id and parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
