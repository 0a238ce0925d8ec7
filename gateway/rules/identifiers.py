"""Identifier checks and normalisation for the rules: NIB, NPWP, NIK, passport, email, phone.

The checks themselves live in :mod:`contracts.facts`, the one validator per
fact that intake and notifier use too (issue 12); this module keeps the names
the rules have always called, so the decision pipeline reads as before.
"""

from contracts.facts import (
    Npwp,
    email_address,
    is_nib,
    is_passport,
    nik_birth_date,
    nik_problem,
    nik_region_known,
    parse_npwp,
    phone_e164,
)

__all__ = [
    "Npwp",
    "is_email",
    "is_nib",
    "is_passport",
    "nik_birth_date",
    "nik_problem",
    "nik_region_known",
    "parse_npwp",
    "phone_e164",
]


def is_email(value: str) -> bool:
    """R10: an address the notifier can send to (see :func:`contracts.facts.email_address`)."""
    return email_address(value) is not None
