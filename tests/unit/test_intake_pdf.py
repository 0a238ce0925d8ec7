"""R11: the Surat Kuasa must really be a PDF of at most 1 MB: judged by its bytes."""

import pytest

from intake.pdf import MAX_BYTES, pdf_problem
from intake.receipts import submission_id_for

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_r11_a_small_complete_pdf_is_accepted():
    assert pdf_problem(PDF) is None


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n....", "not a PDF (no %PDF- header)"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "not a complete PDF (no %%EOF marker at the end)"),
        (PDF[:-7] + b" " * MAX_BYTES + b"%%EOF\n", "larger than 1 MB"),
    ],
    ids=["empty", "png-renamed", "truncated", "too-large"],
)
def test_r11_what_is_not_an_acceptable_surat_kuasa(content, problem):
    assert pdf_problem(content) == problem


def test_same_idempotency_key_same_submission_id_and_different_keys_differ():
    assert submission_id_for("portal-1", "abc") == submission_id_for("portal-1", "abc")
    assert submission_id_for("portal-1", "abc") != submission_id_for("portal-1", "abd")


def test_idempotency_keys_are_scoped_per_portal():
    """One portal can neither read nor block another portal's answer by reusing its key."""
    assert submission_id_for("portal-1", "abc") != submission_id_for("portal-2", "abc")
