"""An audit entry's bytes, built without parsing its event back: the model's bytes exactly."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from contracts.audit import AuditEntry, AuditEvent, AuditKind
from runtime.audit import audit_event, entry_bytes, new_generation

texts = st.text(max_size=40)


def by_the_model(chain: str, seq: int, prev: str, event: bytes) -> bytes:
    entry = AuditEntry(chain=chain, seq=seq, prev=prev, event=AuditEvent.model_validate_json(event))
    return entry.model_dump_json().encode()


events = st.builds(
    AuditEvent,
    kind=st.sampled_from(list(AuditKind)),
    subject=st.text(max_size=60),
    actor=st.text(max_size=60),
    at=st.just(datetime.now(UTC)),
    cause=st.none() | st.text(max_size=40),
    details=st.dictionaries(texts, texts, max_size=4),
)
chains = st.sampled_from(["insw-gateway.bench-1.insw.verification.completed.v1", "x~1.2"]) | (
    st.text(min_size=1, max_size=30)
)


@given(
    event=events,
    chain=chains,
    seq=st.integers(min_value=0, max_value=2**40),
    prev=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_the_bytes_are_the_models_whatever_the_event_says(event, chain, seq, prev):
    value = event.model_dump_json().encode()
    assert entry_bytes(chain, seq, prev, value) == by_the_model(chain, seq, prev, value)


def test_an_entry_of_a_new_generation_and_of_the_gateway_is_the_models():
    record = audit_event(
        AuditKind.ANSWER_ACCEPTED, "SUB-1", actor="adapter-oss-nib", cause=None,
        details={"check": "nib", "outcome": "VERIFIED", "request_id": "r" * 32},
    )  # fmt: skip
    assert record.value is not None
    for chain in ("insw-gateway.local.insw.verification.completed.v1", new_generation("w")):
        got = entry_bytes(chain, 7, "0" * 64, record.value)
        assert got == by_the_model(chain, 7, "0" * 64, record.value)
        assert AuditEntry.model_validate_json(got).chain == chain
