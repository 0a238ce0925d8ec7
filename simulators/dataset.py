"""The one seeded, coherent world served by all three agency simulators.

``WORLD`` (seed :data:`DEFAULT_SEED`, 40 companies) is what the simulators
serve unless told otherwise, and what examples, tests and benchmarks should
take identifiers from -- never hard-code them.

* ``WORLD.companies`` / ``people`` / ``taxpayers``: the OSS, Dukcapil and DJP
  registries. Names differ in form between agencies as in reality: Dukcapil
  and DJP write names upper case; OSS as filed (mixed case, sometimes with
  titles such as "Ir." or "S.E.", which Dukcapil does not hold).
* ``company_by_nib``, ``taxpayer_by_npwp`` (15 or 16 digits), ``person_by_nik``.
* ``fixture(name)``: stable, named cases (see :data:`FIXTURE_DESCRIPTIONS`).
* ``iter_approvable(n)``: ``n`` (company, person) pairs that pass every
  agency check, cycling over the pool -- for benchmarks.

Deliberate inconsistencies: 3 frozen and 3 revoked NIBs, 3 companies whose
DJP taxpayer name differs from the NIB's company name, 3 responsible persons
whose NIB name differs from their Dukcapil name, NPWPs that are not active or
unknown to DJP, a KTP holder on an NIB unknown to Dukcapil.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from simulators.generator import build
from simulators.records import (
    APPROVABLE_STATUSES,
    IDENTITY_KTP,
    NibRecord,
    PersonRecord,
    ResponsiblePerson,
    TaxpayerRecord,
)

DEFAULT_SEED = 20240701

FIXTURE_DESCRIPTIONS: dict[str, str] = {
    "approved_company": "active NIB, valid NPWP with matching name, responsible person "
    "in Dukcapil with matching name: every check passes",
    "not_responsible_person": "valid active company, plus a real Dukcapil resident who is "
    "not a responsible person on it (nor on any NIB)",
    "frozen_nib": "NIB status 05 Dibekukan; NPWP and person otherwise fine",
    "revoked_nib": "NIB status 06 Dicabut; NPWP and person otherwise fine",
    "npwp_name_mismatch": "DJP's taxpayer name for the NIB's NPWP is another company's name",
    "npwp_not_active": "DJP knows the NPWP but its status is NOT_ACTIVE",
    "npwp_unknown": "the NIB's NPWP is well-formed (valid check digit) but unknown to DJP",
    "dukcapil_name_mismatch": "the responsible person's name on the NIB differs from the "
    "name Dukcapil holds for that NIK",
    "nik_not_in_dukcapil": "the responsible person's NIK is well-formed but unknown to Dukcapil",
    "nib_not_yet_active": "NIB status 02 Belum Aktif",
    "titled_responsible_person": "NIB lists the person with titles (e.g. 'Ir. ..., S.E.'); "
    "Dukcapil holds the name without them",
    "passport_responsible_person": "foreign company (type 04) whose responsible person "
    "is identified by passport (not in Dukcapil)",
    "representative_office": "kantor perwakilan (type 03), first responsible person by passport",
    "sole_proprietor": "perseorangan (type 02): the owner's name and personal NPWP "
    "(DJP: ORANG_PRIBADI, NPWP16 = the owner's NIK)",
}


def normalise_name(name: str) -> str:
    """Case- and whitespace-insensitive form of a name, as the simulators compare."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Fixture:
    """A named case: a company and the person the case is about.

    ``responsible`` is that person's entry on the NIB (``None`` when the case
    is that they are not on it); ``person`` is their Dukcapil record
    (``None`` when Dukcapil does not know them); ``taxpayer`` is DJP's record
    for the company's NPWP (``None`` when DJP does not know it).
    """

    name: str
    description: str
    company: NibRecord
    taxpayer: TaxpayerRecord | None
    responsible: ResponsiblePerson | None
    person: PersonRecord | None

    def as_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (dates as ISO strings)."""
        return cast(dict[str, Any], _isoformat_dates(dataclasses.asdict(self)))


def _isoformat_dates(value: object) -> object:
    if isinstance(value, dict):
        return {k: _isoformat_dates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_isoformat_dates(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class World:
    """The OSS, DJP and Dukcapil registries generated from one seed."""

    def __init__(self, seed: int = DEFAULT_SEED, n_companies: int = 40) -> None:
        built = build(seed, n_companies)
        self.seed = seed
        self.companies: tuple[NibRecord, ...] = tuple(built.companies)
        self.people: tuple[PersonRecord, ...] = tuple(built.people)
        self.taxpayers: tuple[TaxpayerRecord, ...] = tuple(built.taxpayers)
        self._by_nib = {c.nib: c for c in self.companies}
        self._by_nik = {p.nik: p for p in self.people}
        self._by_npwp: dict[str, TaxpayerRecord] = {}
        for t in self.taxpayers:
            self._by_npwp[t.npwp16] = t
            if t.npwp15:
                self._by_npwp[t.npwp15] = t
        self._tagged = built.tagged
        self._approvable = tuple(
            (c, p)
            for c in self.companies
            for r in c.responsible
            if (p := self._by_nik.get(r.identity_number)) and self.is_approvable(c, r)
        )

    def company_by_nib(self, nib: str) -> NibRecord | None:
        """Return OSS's record for ``nib``, if any."""
        return self._by_nib.get(nib)

    def taxpayer_by_npwp(self, npwp: str) -> TaxpayerRecord | None:
        """Return DJP's record for a 15- or 16-digit NPWP, if any."""
        return self._by_npwp.get(npwp)

    def person_by_nik(self, nik: str) -> PersonRecord | None:
        """Return Dukcapil's record for ``nik``, if any."""
        return self._by_nik.get(nik)

    def is_approvable(self, company: NibRecord, responsible: ResponsiblePerson) -> bool:
        """Whether a registration by ``responsible`` for ``company`` passes every check."""
        taxpayer = self.taxpayer_by_npwp(company.npwp)
        person = self.person_by_nik(responsible.identity_number)
        return (
            company.status in APPROVABLE_STATUSES
            and responsible in company.responsible
            and responsible.identity_type == IDENTITY_KTP
            and taxpayer is not None
            and taxpayer.status == "VALID"
            and normalise_name(taxpayer.name) == normalise_name(company.company_name)
            and person is not None
            and normalise_name(person.full_name) == normalise_name(responsible.name)
        )

    @staticmethod
    def fixture_names() -> tuple[str, ...]:
        """Names accepted by :meth:`fixture`."""
        return tuple(FIXTURE_DESCRIPTIONS)

    def fixture(self, name: str, index: int = 0) -> Fixture:
        """Return the ``index``-th case of fixture ``name`` (KeyError if unknown)."""
        return self.fixtures(name)[index]

    def fixtures(self, name: str) -> list[Fixture]:
        """Return every case of fixture ``name`` (e.g. all three frozen NIBs)."""
        description = FIXTURE_DESCRIPTIONS[name]
        cases = []
        for nib, listed in self._tagged.get(name, []):
            company = self._by_nib[nib]
            subject, responsible = listed, company.responsible_by_id(listed)
            if name == "not_responsible_person":
                subject, responsible = self._tagged["outsider"][0][1], None
            cases.append(
                Fixture(
                    name,
                    description,
                    company,
                    self.taxpayer_by_npwp(company.npwp),
                    responsible,
                    self.person_by_nik(subject),
                )
            )
        return cases

    def approvable(self) -> tuple[tuple[NibRecord, PersonRecord], ...]:
        """Every (company, Dukcapil person) pair that passes all checks."""
        return self._approvable

    def iter_approvable(self, n: int) -> Iterator[tuple[NibRecord, PersonRecord]]:
        """Yield ``n`` approvable (company, person) pairs, cycling over the pool."""
        return itertools.islice(itertools.cycle(self._approvable), n)


WORLD = World()
