"""Record types of the simulated agencies' registries.

Each agency keeps its own view of the world, as in reality:

* OSS holds :class:`NibRecord` (business identity number, NIB) with its
  responsible persons (:class:`ResponsiblePerson`) and KBLI entries.
* DJP holds :class:`TaxpayerRecord` (NPWP, 15- and 16-digit forms).
* Dukcapil holds :class:`PersonRecord` (population NIK).

The views are joined only by identifiers (NPWP on the NIB record, identity
number of a responsible person), and may disagree on purpose: a name on the
NIB can differ from the taxpayer's name at DJP or the person's name at
Dukcapil, exactly the inconsistencies the hub has to catch.

Code tables (OSS PIA, see ``/work/shared/DOMAIN.md`` "Identifier facts"):

* business-actor type (``jenis_pelaku_usaha``): :data:`ACTOR_TYPES`
* NIB status (``status_nib``): :data:`NIB_STATUSES`
* identity type (``jenis_identitas``): :data:`IDENTITY_TYPES`
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

ACTOR_TYPES: dict[str, str] = {
    "01": "Badan Usaha",
    "02": "Perseorangan",
    "03": "Kantor Perwakilan",
    "04": "Badan Usaha Luar Negeri",
}

NIB_STATUSES: dict[str, str] = {
    "01": "Aktif",
    "02": "Belum Aktif",
    "03": "Diizinkan Usaha",
    "04": "Diizinkan Beroperasi",
    "05": "Dibekukan",
    "06": "Dicabut",
}

STATUS_FROZEN = "05"
STATUS_REVOKED = "06"
#: NIB statuses under which a registration can be approved. "02 Belum Aktif"
#: is left out on purpose: the data set never relies on it being approvable.
APPROVABLE_STATUSES = frozenset({"01", "03", "04"})

IDENTITY_TYPES: dict[str, str] = {"01": "KTP", "02": "Paspor"}
IDENTITY_KTP = "01"
IDENTITY_PASSPORT = "02"

Sex = Literal["L", "P"]
TaxpayerKind = Literal["BADAN", "ORANG_PRIBADI"]
TaxpayerStatus = Literal["VALID", "NOT_ACTIVE"]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One resident in the Dukcapil population registry.

    ``full_name`` is written as Dukcapil writes it: upper case, no titles.
    """

    nik: str
    full_name: str
    birth_date: datetime.date
    sex: Sex


@dataclass(frozen=True, slots=True)
class ResponsiblePerson:
    """A Penanggung Jawab as listed on an NIB record (OSS's view).

    ``name`` is as the business filed it at OSS: mixed case, sometimes with
    titles ("Ir.", "H.", "S.E.") and, for a few deliberate mismatches, not the
    name Dukcapil holds for ``identity_number``.
    """

    identity_type: str
    identity_number: str
    name: str
    position: str


@dataclass(frozen=True, slots=True)
class KbliEntry:
    """One KBLI business-classification code of one OSS project."""

    project_id: str
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class NibRecord:
    """One business as OSS knows it, keyed by its 13-digit NIB."""

    nib: str
    company_name: str
    npwp: str
    actor_type: str
    status: str
    issued_on: datetime.date
    kbli: tuple[KbliEntry, ...]
    responsible: tuple[ResponsiblePerson, ...]

    def responsible_by_id(self, identity_number: str) -> ResponsiblePerson | None:
        """Return the responsible person with this identity number, if listed."""
        for person in self.responsible:
            if person.identity_number == identity_number:
                return person
        return None


@dataclass(frozen=True, slots=True)
class TaxpayerRecord:
    """One taxpayer as DJP knows it.

    ``npwp16`` is always set: ``0`` + the 15-digit NPWP for organisations, the
    NIK for resident individuals (PMK 112/2022). ``npwp15`` is the legacy
    number, absent for individuals registered only under their NIK.
    """

    npwp15: str | None
    npwp16: str
    name: str
    kind: TaxpayerKind
    status: TaxpayerStatus
