"""Generators of structurally valid Indonesian identifiers (test data only).

* NIB: 13 digits, no public checksum.
* NIK (population): ``PPKKCCDDMMYYSSSS`` -- province + regency/city codes that
  python-stdnum's ``stdnum.id.nik`` recognises, a district code, the birth
  date (women: day + 40) and a serial >= 0001.
* NPWP, 15 digits: ``ST.sss.sss.C-OOO.BBB`` with ``C`` the Luhn (mod 10) check
  digit over the first eight digits, so that ``stdnum.id.npwp`` validates the
  first nine; 16-digit form: ``0`` + the 15 digits (organisations).
"""

from __future__ import annotations

import datetime
import random

from stdnum import luhn

#: Real province + regency/city codes (Kemendagri), all known to stdnum.
REGENCY_CODES: tuple[str, ...] = (
    "3171", "3172", "3173", "3174", "3175",  # DKI Jakarta
    "3201", "3273", "3275", "3276",  # Jawa Barat
    "3374", "3372",  # Jawa Tengah: Semarang, Surakarta
    "3578", "3573", "3515",  # Jawa Timur: Surabaya, Malang, Sidoarjo
    "3603", "3671", "3674",  # Banten
    "1275", "5171", "6471", "7371",  # Medan, Denpasar, Balikpapan, Makassar
)  # fmt: skip

#: DJP tax office codes (KPP) used for the ``OOO`` part of generated NPWPs.
TAX_OFFICES: tuple[str, ...] = ("011", "013", "015", "031", "054", "073", "091", "403", "431")


def make_nib(rng: random.Random) -> str:
    """Return a random 13-digit NIB (OSS numbers start with 8 or 9)."""
    return rng.choice("89") + "".join(rng.choice("0123456789") for _ in range(12))


def make_nik(rng: random.Random, birth_date: datetime.date, female: bool) -> str:
    """Return a random NIK encoding ``birth_date`` and sex."""
    regency = rng.choice(REGENCY_CODES)
    district = f"{rng.randint(1, 30):02d}"
    day = birth_date.day + (40 if female else 0)
    serial = f"{rng.randint(1, 999):04d}"
    return f"{regency}{district}{day:02d}{birth_date:%m%y}{serial}"


def make_npwp15(rng: random.Random, taxpayer_type: str) -> str:
    """Return a random 15-digit NPWP with a valid check digit.

    ``taxpayer_type`` is the two-digit ``ST`` prefix ("01"-"03" organisations,
    "04"-"09" individuals).
    """
    body = taxpayer_type + "".join(rng.choice("0123456789") for _ in range(6))
    check = luhn.calc_check_digit(body)
    return f"{body}{check}{rng.choice(TAX_OFFICES)}000"


def npwp16_of(npwp15: str) -> str:
    """Return the 16-digit NPWP of an organisation's 15-digit NPWP."""
    return "0" + npwp15
