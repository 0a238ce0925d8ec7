"""Identifier checks and normalisation: NIB, NPWP, NIK, passport, email, phone.

Structure and check digits come from python-stdnum where it fits. We differ
from it in two places, on purpose: a NIK's birth date must lie in the past
(stdnum accepts any real date), and an NPWP check digit failure is only a
soft signal, because DJP's answer is the truth (shared/DOMAIN.md).
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum import exceptions as stdnum_errors
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

_NIB = re.compile(r"[0-9]{13}")
_PASSPORT = re.compile(r"[A-Za-z0-9]{8,10}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_NPWP_SEPARATORS = re.compile(r"[.\-\s]")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def is_nib(value: str) -> bool:
    """R3: an NIB is exactly 13 digits (OSS publishes no checksum)."""
    return bool(_NIB.fullmatch(value))


@dataclass(frozen=True, slots=True)
class Npwp:
    """An NPWP as given (digits only), its organisation 16-digit form, its check-digit signal.

    ``digits`` is what DJP is asked about: a 15-digit personal NPWP maps to the
    holder's NIK, not to ``0`` + 15 digits, so only DJP knows its 16-digit form.
    """

    digits: str
    canonical: str
    check_digit_ok: bool

    def same_as(self, other: "Npwp") -> bool:
        """The same number written in either form (15 digits, or ``0`` + those 15)."""
        return self.digits == other.digits or self.canonical == other.canonical


def parse_npwp(value: str) -> Npwp | None:
    """R4: 15 digits (legacy, possibly punctuated) or 16 digits; ``None`` when malformed.

    The canonical form is 16 digits: organisations prefix the legacy number
    with ``0`` (PMK 112/2022); individuals' 16-digit NPWP is their NIK, which
    only DJP can tell (see :class:`Npwp`).
    """
    digits = _NPWP_SEPARATORS.sub("", value)
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (15, 16):
        return None
    canonical = digits if len(digits) == 16 else "0" + digits
    return Npwp(
        digits=digits, canonical=canonical, check_digit_ok=bool(stdnum_npwp.is_valid(canonical))
    )


def nik_problem(value: str, today: date) -> str | None:
    """R9: why ``value`` is not a structurally valid population NIK, or ``None``.

    Returns a short, value-free description fit for logs and reasons.
    """
    if not (len(value) == 16 and value.isascii() and value.isdigit()):
        return "not 16 digits"
    if not _known_region(value[:6]):
        return "unknown region code"
    if value[12:] == "0000":
        return "serial must be 0001 or more"
    if nik_birth_date(value, today) is None:
        return "birth date is not a real past date"
    return None


_NEUTRAL_BIRTH_AND_SERIAL = "0101800001"
"""1 January 1980, serial 0001: a valid rest, so only the region code decides."""


@lru_cache(maxsize=8192)
def _known_region(code: str) -> bool:
    """Whether python-stdnum knows the 6-digit province/regency/district code.

    Cached because stdnum's region-table look-up is the costliest part of a
    NIK check and there are only a few thousand district codes.
    """
    try:
        stdnum_nik.validate(code + _NEUTRAL_BIRTH_AND_SERIAL)
    except stdnum_errors.ValidationError:
        return False
    return True


def nik_birth_date(value: str, today: date) -> date | None:
    """The birth date encoded in a NIK (day + 40 for women), in the past, or ``None``."""
    day, month, year = int(value[6:8]), int(value[8:10]), int(value[10:12])
    if day > 40:
        day -= 40
    for century in (2000, 1900):
        try:
            born = date(century + year, month, day)
        except ValueError:
            return None
        if born < today:
            return born
    return None


def is_passport(value: str) -> bool:
    """R9: a passport number is 8 to 10 letters or digits (the manual's product rule)."""
    return bool(_PASSPORT.fullmatch(value))


def is_email(value: str) -> bool:
    """R10: a syntactically plausible email address (delivery proves the rest)."""
    return len(value) <= 254 and bool(_EMAIL.fullmatch(value))


def phone_e164(value: str) -> str | None:
    """R10: an Indonesian phone number in E.164 (``+62…``), or ``None`` when malformed.

    Accepts ``08…``, ``62…`` and ``+62…``; the national significant number
    has 8 to 12 digits and does not start with 0.
    """
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+62"):
        national = digits[3:]
    elif digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    if not national.isdigit() or not 8 <= len(national) <= 12 or national.startswith("0"):
        return None
    return "+62" + national
