"""One validator per fact: the identifier and contact checks intake, gateway and notifier share.

Why one module: when each service judged an email or a NIK its own way, the
gateway let through four email forms the notifier then could not send to, and
``\\d``, ``str.isdigit()`` and ``int()`` let Arabic-Indic, fullwidth and
superscript digits reach the agencies (issue 12). Every check here takes the
text as received and answers a canonical value or ``None``; none raises on
any input and none returns a message quoting the input.

* digits are ASCII digits only (shared/DOMAIN.md, "Digits are ASCII digits");
* R3 NIB: 13 digits; R4 NPWP: 15 (punctuated or not) or 16 digits;
* R9 NIK: 16 digits, a real past birth date (women: day + 40), serial 0001 or
  more. The region code is **not** a format rule: python-stdnum's table lacks
  65xx (Kalimantan Utara) and 92/93/95/96, and Dukcapil is the authority on
  whether a NIK exists (issue 13). :func:`nik_region_known` tells it apart;
* R9 passport: 8 to 10 ASCII letters or digits (the manual's product rule);
* R10 email: ``email-validator`` syntax without DNS, ASCII local part, no
  quoted local part, no IP literal: exactly what the notifier can put in a
  ``To`` header and send over plain SMTP;
* R10 phone: any valid number (``phonenumbers``), national Indonesian
  notation by default, to E.164.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import exceptions as stdnum_errors
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

_ASCII_DIGITS = frozenset("0123456789")
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_NPWP_SEPARATORS = str.maketrans("", "", ".- ")
_MAX_EMAIL = 254
_MAX_PHONE_TEXT = 40
DEFAULT_PHONE_REGION = "ID"
"""A number written without ``+`` is read as Indonesian (``08…``)."""


def ascii_digits(value: str, *lengths: int) -> bool:
    """Whether ``value`` is only ASCII ``0``-``9``, with one of ``lengths`` characters."""
    return len(value) in lengths and set(value) <= _ASCII_DIGITS


def is_nib(value: str) -> bool:
    """R3: an NIB is exactly 13 ASCII digits (OSS publishes no checksum)."""
    return ascii_digits(value, 13)


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


@lru_cache(maxsize=4096)  # pure; the gateway parses one NPWP several times per decision
def parse_npwp(value: str) -> Npwp | None:
    """R4: 15 digits (legacy, possibly punctuated) or 16 digits; ``None`` when malformed.

    The canonical form is 16 digits: organisations prefix the legacy number
    with ``0`` (PMK 112/2022). The check digit is a soft signal only: DJP's
    answer is the truth (shared/DOMAIN.md).
    """
    digits = value.translate(_NPWP_SEPARATORS)
    if not ascii_digits(digits, 15, 16):
        return None
    canonical = digits if len(digits) == 16 else "0" + digits
    return Npwp(
        digits=digits, canonical=canonical, check_digit_ok=bool(stdnum_npwp.is_valid(canonical))
    )


def nik_problem(value: str, today: date) -> str | None:
    """R9: why ``value`` is not a well-formed population NIK, or ``None``.

    The answer is a short, value-free description fit for logs and reasons.
    An unknown region code is not a problem here (see the module docstring).
    """
    if not ascii_digits(value, 16):
        return "not 16 ASCII digits"
    if value[12:] == "0000":
        return "serial must be 0001 or more"
    if nik_birth_date(value, today) is None:
        return "birth date is not a real past date"
    return None


def nik_birth_date(value: str, today: date) -> date | None:
    """The birth date in a 16-ASCII-digit NIK (day + 40 for women), in the past, or ``None``."""
    if not ascii_digits(value, 16):
        return None
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


_NEUTRAL_BIRTH_AND_SERIAL = "0101800001"
"""1 January 1980, serial 0001: a valid rest, so only the region code decides."""


@lru_cache(maxsize=8192)
def nik_region_known(value: str) -> bool:
    """Whether python-stdnum knows the NIK's 6-digit province/regency/district code.

    A soft signal only (its table is incomplete); cached because the table
    look-up is the costliest part of a NIK check and there are only a few
    thousand district codes.
    """
    code = value[:6]
    if not ascii_digits(code, 6):
        return False
    try:
        stdnum_nik.validate(code + _NEUTRAL_BIRTH_AND_SERIAL)
    except stdnum_errors.ValidationError:
        return False
    return True


def is_passport(value: str) -> bool:
    """R9: a passport number is 8 to 10 ASCII letters or digits (the manual's product rule)."""
    return 8 <= len(value) <= 10 and set(value) <= _ASCII_ALNUM


def email_address(value: str) -> str | None:
    """R10: the address the notifier will send to, or ``None`` when it cannot send to it.

    Surrounding whitespace is ignored (forms add it); the domain comes back in
    its ASCII (IDNA) form. No DNS look-up: delivery proves the rest.
    """
    text = value.strip()
    if not text or len(text) > _MAX_EMAIL:
        return None
    try:
        checked = validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except (EmailNotValidError, ValueError, UnicodeError):
        return None
    return checked.ascii_email


def phone_e164(value: str) -> str | None:
    """R10: any valid phone number in E.164 (``+41446681800``), or ``None``.

    Written without ``+`` it is read as Indonesian (``0812…``, ``62812…``).
    ASCII only, like every identifier here, so a look-alike digit is refused.
    """
    text = value.strip()
    if not text or len(text) > _MAX_PHONE_TEXT or not text.isascii():
        return None
    try:
        number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
