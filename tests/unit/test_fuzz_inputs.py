"""Fuzz suite, in memory: submission JSON, CEISA XML and the resend endpoint (issue 12).

Every generated input must end in a *named* outcome: a rejection reason, a
:class:`PoisonMessage` naming fields, a 4xx in the documented shape. An
unexpected exception or an HTTP 500 fails the test and names the input's
index (replay it with the same ``FUZZ_SEED``; see :mod:`tests.fuzzing`).
"""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.facts import email_address
from contracts.registration import RegistrationSubmitted
from customs.reading import read_notice
from gateway.rules.form import check_form, form_facts
from notifier.accounts import Accounts
from notifier.emails import recipient
from notifier.endpoints import make_app
from notifier.mailer import MemoryMailer
from notifier.resend import PER_CLIENT, PER_USERNAME
from notifier.store_memory import MemoryActivationStore
from notifier.tokens import Tokens
from runtime.codec import decode
from runtime.errors import PoisonMessage
from runtime.rate_limit import RateLimits
from tests import fuzzing
from tests.support import submission_dict

TODAY = date(2026, 11, 21)
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "ceisa"

_LEAVES = [
    ("request", "purpose"),
    ("organisation", "trader_type"),
    ("organisation", "nib"),
    ("organisation", "npwp"),
    ("organisation", "name"),
    ("organisation", "business_types"),
    ("organisation", "address"),
    ("applicant", "full_name"),
    ("applicant", "identity", "kind"),
    ("applicant", "identity", "number"),
    ("applicant", "identity"),
    ("applicant", "email"),
    ("applicant", "phone"),
    ("attachments", "power_of_attorney"),
    ("attachments", "power_of_attorney", "sha256"),
    ("attachments", "power_of_attorney", "size_bytes"),
    ("consent", "accepted"),
    ("consent", "accepted_at"),
    ("submitted_at",),
    ("organisation",),
    ("applicant",),
]
_lookalike_text = st.text(
    alphabet=st.sampled_from(list("0123456789+-.@ ()abcXYZ" + fuzzing.LOOKALIKE_DIGITS)),
    max_size=24,
)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | _lookalike_text
    | st.sampled_from(fuzzing.NASTY_TEXT),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def submission_bytes(draw: st.DrawFn) -> bytes:
    """A valid submission with a few leaves replaced, sometimes with its bytes cut or flipped."""
    data = submission_dict("SUB-FUZZ")
    for _ in range(draw(st.integers(0, 4))):
        *parents, leaf = draw(st.sampled_from(_LEAVES))
        target: Any = data
        for part in parents:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[leaf] = draw(_json)
    raw = json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        raw = fuzzing.mutate_bytes(raw, fuzzing.rng("json-bytes", draw(st.integers(0, 2**16))))
    return raw


def judge_submission(raw: bytes) -> None:
    """The gateway's decode and form rules: a named outcome for every input."""
    try:
        submission = decode(RegistrationSubmitted, raw)
    except PoisonMessage:
        return
    form = check_form(submission, TODAY)
    assert all(r.code and r.rule and r.field for r in form.reasons)
    if not form.reasons:
        form_facts(submission)
        assert form.nik is None or form.nik.isascii()
    if not any(r.code == "EMAIL_FORMAT" for r in form.reasons):
        # R10: an email the form accepts is one the notifier can send to.
        assert str(recipient(submission.applicant.email or "")) == email_address(
            submission.applicant.email or ""
        )


def test_fuzz_submission_json_through_decode_and_form_rules():
    seen: list[int] = []

    @settings(
        max_examples=fuzzing.SUBMISSION_JSON,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(submission_bytes())
    def run(raw: bytes) -> None:
        seen.append(1)
        judge_submission(raw)

    run()
    assert len(seen) >= fuzzing.SUBMISSION_JSON


def test_fuzz_inbound_customs_xml():
    samples = sorted(p.read_bytes() for p in SAMPLES.rglob("*.xml"))
    assert len(samples) > 20
    for index in range(fuzzing.CUSTOMS_XML):
        r = fuzzing.rng("xml", index)
        raw = fuzzing.mutate_bytes(r.choice(samples), r, rounds=r.choice((1, 1, 2, 4)))
        try:
            read_notice(raw)
        except PoisonMessage:
            pass
        except Exception as error:  # pragma: no cover - the failure message is the point
            raise AssertionError(f"xml input {index}: {type(error).__name__}") from error


def _resend_request(r) -> tuple[str, str, dict]:
    username = r.choice(
        [
            "4C7ADA",
            "ABCDEF",
            f"{r.randrange(16**6):06X}",
            fuzzing.nasty_text(r, 8).replace("/", "%2F").replace("?", "%3F").replace("#", "%23"),
            "4c7ada",
            "%00%FF",
            "..%2F..",
        ]
    )
    method = r.choice(["POST", "POST", "POST", "GET", "PUT", "DELETE"])
    path = r.choice(
        [
            f"/accounts/{username}/activation-link",
            f"/accounts/{username}/activation-link/",
            "/accounts/password",
            f"/accounts/password?token={username}",
            f"/accounts/{username}",
        ]
    )
    body = r.choice(
        [
            {},
            {"data": fuzzing.mutate_bytes(b'{"token": "x", "password": "Rahasia#1"}', r)},
            {"json": {"token": fuzzing.nasty_text(r), "password": fuzzing.nasty_text(r)}},
            {"data": {"token": fuzzing.nasty_text(r), "password": "x"}},
            {
                "data": fuzzing.mutate_bytes(b"token=a&password=b", r),
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
        ]
    )
    return method, path, body


async def test_fuzz_resend_and_account_endpoints_never_answer_500():
    store = MemoryActivationStore()
    tokens = Tokens(store, base_url="http://hub", ttl=timedelta(hours=1))
    await tokens.issue("4C7ADA", "budi@example.co.id")
    accounts = Accounts(
        tokens,
        store,
        MemoryMailer(),
        sender="noreply@insw.go.id",
        clock=lambda: datetime(2026, 11, 21, tzinfo=UTC),
    )
    limits = RateLimits.in_memory({PER_USERNAME: "3/hour", PER_CLIENT: "100000/hour"})
    statuses: dict[int, int] = {}
    async with TestClient(TestServer(make_app(accounts, limits))) as client:
        for index in range(fuzzing.RESEND_REQUESTS):
            method, path, kwargs = _resend_request(fuzzing.rng("resend", index))
            async with client.request(method, path, **kwargs) as response:
                statuses[response.status] = statuses.get(response.status, 0) + 1
                assert response.status < 500, f"resend input {index}: {response.status}"
                if response.status >= 400 and response.content_type == "application/json":
                    errors = (await response.json())["errors"]
                    assert errors and all(e["code"] and e["rule"] for e in errors), index
    assert sum(statuses.values()) == fuzzing.RESEND_REQUESTS
    assert statuses.get(202, 0) > 0 and statuses.get(429, 0) > 0
