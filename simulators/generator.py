"""Deterministic generator of the simulated world (see :mod:`simulators.dataset`).

Everything derives from one ``random.Random(seed)``; the same seed always
gives the same world. Special cases come first, in a fixed plan (see
:data:`PLAN`), then ordinary companies fill the rest.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from simulators import pools
from simulators.identifiers import make_nib, make_nik, make_npwp15, npwp16_of
from simulators.records import (
    IDENTITY_KTP,
    IDENTITY_PASSPORT,
    KbliEntry,
    NibRecord,
    PersonRecord,
    ResponsiblePerson,
    TaxpayerRecord,
    TaxpayerStatus,
)

#: (fixture tag, count, actor type, NIB status). Ordinary companies follow.
PLAN: tuple[tuple[str, int, str, str], ...] = (
    ("approved_company", 1, "01", "01"),
    ("not_responsible_person", 1, "01", "01"),
    ("frozen_nib", 3, "01", "05"),
    ("revoked_nib", 3, "01", "06"),
    ("npwp_name_mismatch", 3, "01", "01"),
    ("npwp_not_active", 2, "01", "01"),
    ("npwp_unknown", 1, "01", "01"),
    ("dukcapil_name_mismatch", 3, "01", "01"),
    ("nik_not_in_dukcapil", 1, "01", "01"),
    ("nib_not_yet_active", 2, "01", "02"),
    ("titled_responsible_person", 1, "01", "03"),
    ("passport_responsible_person", 1, "04", "04"),
    ("representative_office", 1, "03", "01"),
    ("sole_proprietor", 2, "02", "01"),
)
OUTSIDERS = 3  # people in Dukcapil who are on no NIB at all
_EPOCH = datetime.date(2018, 7, 9)  # OSS went live


@dataclass
class Built:
    """Raw output of :func:`build`: the three registries plus fixture picks."""

    people: list[PersonRecord] = field(default_factory=list)
    companies: list[NibRecord] = field(default_factory=list)
    taxpayers: list[TaxpayerRecord] = field(default_factory=list)
    #: tag -> [(nib, identity number of the person the fixture is about)]
    tagged: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.out = Built()
        self.used: set[str] = set()

    def unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def person(self, *, registered: bool = True, taxpayer: bool = True) -> tuple[PersonRecord, str]:
        """Create a resident; return the record and the mixed-case name."""
        rng = self.rng
        female = rng.random() < 0.45
        given_pool = pools.FEMALE_GIVEN if female else pools.MALE_GIVEN
        given = rng.sample(given_pool, 2 if rng.random() < 0.3 else 1)
        name = f"{' '.join(given)} {rng.choice(pools.SURNAMES)}"
        birth = datetime.date(1958, 1, 1) + datetime.timedelta(days=rng.randint(0, 15000))
        nik = self.unique(lambda: make_nik(rng, birth, female))
        record = PersonRecord(nik, name.upper(), birth, "P" if female else "L")
        if registered:
            self.out.people.append(record)
        if registered and taxpayer and rng.random() < 0.25:  # personal NPWP16 = NIK
            legacy: str | None = None
            if rng.random() < 0.5:  # also still known by a legacy 15-digit NPWP
                legacy = self.unique(lambda: make_npwp15(rng, rng.choice(("07", "08", "09"))))
            self.out.taxpayers.append(
                TaxpayerRecord(legacy, nik, record.full_name, "ORANG_PRIBADI", "VALID")
            )
        return record, name

    def titled(self, name: str, sex: str) -> str:
        rng = self.rng
        prefixes = pools.PREFIX_TITLES_FEMALE if sex == "P" else pools.PREFIX_TITLES_MALE
        return f"{rng.choice(prefixes)} {name}, {rng.choice(pools.SUFFIX_TITLES)}"

    def ktp_person(
        self, tag: str, position: str, first: bool, taxpayer: bool = True
    ) -> ResponsiblePerson:
        rng = self.rng
        registered = not (first and tag == "nik_not_in_dukcapil")
        person, name = self.person(registered=registered, taxpayer=taxpayer)
        if first and tag == "dukcapil_name_mismatch":
            surname = name.rsplit(" ", 1)[1]
            other = rng.choice([s for s in pools.SURNAMES if s != surname])
            name = f"{name.rsplit(' ', 1)[0]} {other}"
        elif (first and tag == "titled_responsible_person") or (not first and rng.random() < 0.25):
            name = self.titled(name, person.sex)
        return ResponsiblePerson(IDENTITY_KTP, person.nik, name, position)

    def passport_person(self, position: str) -> ResponsiblePerson:
        rng = self.rng
        number = self.unique(lambda: rng.choice("EKXT") + f"{rng.randint(0, 10**8 - 1):08d}")
        name = rng.choice(pools.FOREIGN_NAMES)
        return ResponsiblePerson(IDENTITY_PASSPORT, number, name, position)

    def company_name(self, actor: str) -> str:
        rng = self.rng
        if actor in ("03", "04"):
            forms = ("Co., Ltd.", "Pte. Ltd.", "GmbH")
            return self.unique(
                lambda: f"{rng.choice(pools.FOREIGN_COMPANY_STEMS)} {rng.choice(forms)}"
            )
        return self.unique(
            lambda: (
                f"PT {rng.choice(pools.NAME_WORDS_A)} {rng.choice(pools.NAME_WORDS_B)} "
                f"{rng.choice(pools.NAME_SECTORS)}"
            )
        )

    def kbli(self, issued: datetime.date) -> tuple[KbliEntry, ...]:
        rng = self.rng
        entries: list[KbliEntry] = []
        for _ in range(rng.randint(1, 2)):
            project = self.unique(lambda: f"R-{issued:%Y%m%d}{rng.randint(0, 10**10 - 1):010d}")
            for code, text in rng.sample(pools.KBLI, rng.randint(1, 2)):
                entries.append(KbliEntry(project, code, text))
        return tuple(entries)

    def company(self, tag: str, actor: str, status: str) -> None:
        rng = self.rng
        issued = _EPOCH + datetime.timedelta(days=rng.randint(0, 2600))
        responsible: list[ResponsiblePerson] = []
        if actor == "02":  # sole proprietor: the owner's own name and NPWP
            owner = self.ktp_person("approved_company", pools.POSITION_OWNER, True, False)
            responsible.append(owner)
            name, npwp15 = owner.name, self.unique(lambda: make_npwp15(rng, "05"))
            self.out.taxpayers.append(
                TaxpayerRecord(
                    npwp15, owner.identity_number, name.upper(), "ORANG_PRIBADI", "VALID"
                )
            )
        else:
            name, npwp15 = self.company_name(actor), self.unique(lambda: make_npwp15(rng, "01"))
            if actor in ("03", "04"):
                responsible.append(self.passport_person(pools.POSITION_REP_OFFICE))
            others = rng.sample(pools.POSITIONS_COMPANY[1:], rng.randint(0, 2))
            for i, position in enumerate([pools.POSITIONS_COMPANY[0], *others]):
                responsible.append(self.ktp_person(tag, position, i == 0 and actor == "01"))
            self.company_taxpayer(tag, name, npwp15)
        nib = self.unique(lambda: make_nib(rng))
        record = NibRecord(
            nib, name, npwp15, actor, status, issued, self.kbli(issued), tuple(responsible)
        )
        self.out.companies.append(record)
        subject = responsible[0].identity_number
        self.out.tagged.setdefault(tag, []).append((nib, subject))

    def company_taxpayer(self, tag: str, name: str, npwp15: str) -> None:
        if tag == "npwp_unknown":
            return
        djp_name = name
        if tag == "npwp_name_mismatch":
            djp_name = self.company_name("01")
        status: TaxpayerStatus = "NOT_ACTIVE" if tag == "npwp_not_active" else "VALID"
        self.out.taxpayers.append(
            TaxpayerRecord(npwp15, npwp16_of(npwp15), djp_name.upper(), "BADAN", status)
        )


def build(seed: int, n_companies: int = 40) -> Built:
    """Generate the three registries for ``seed``, deterministically.

    The special cases of :data:`PLAN` (24 companies) are always generated;
    ``n_companies`` beyond that adds ordinary, approvable companies.
    """
    builder = _Builder(seed)
    planned = 0
    for tag, count, actor, status in PLAN:
        for _ in range(count):
            builder.company(tag, actor, status)
            planned += 1
    for _ in range(max(0, n_companies - planned)):
        status = builder.rng.choices(("01", "03", "04"), weights=(6, 2, 2))[0]
        builder.company("ordinary", "01", status)
    outsiders = [builder.person()[0] for _ in range(OUTSIDERS)]
    builder.out.tagged["outsider"] = [("", p.nik) for p in outsiders]
    return builder.out
