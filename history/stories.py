"""The registrations the bundled history is made of, drawn from the simulators' world.

Why a mix and not load: a what-if is only a real check of the rules if the
history exercises them: approvals of every trader type, every kind of
rejection the agencies' facts give (wrong NIK, frozen or revoked NIB,
applicants not on the NIB), the referrals (NIB not yet active, DJP's taxpayer
name differing from OSS, an agency outage), the form rules (R1 to R12) and
the Surat Kuasa checks in the document store. Every identifier comes from
:data:`simulators.dataset.WORLD` or is generated like it: synthetic only.
"""

from __future__ import annotations

import copy
import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from simulators.dataset import WORLD, Fixture, World
from simulators.identifiers import make_nib, make_nik
from simulators.records import NibRecord, PersonRecord
from simulators.registrations import approvable, examples, registration

Payload = dict[str, Any]
WIB = timezone(timedelta(hours=7))
MONTH_START = datetime(2026, 11, 2, 8, 0, tzinfo=WIB)
SEED = 202611
PLACEHOLDER_EMAIL = "applicant.-@example.co.id"
"""What :func:`simulators.registrations.registration` writes for the placeholder id ``-``."""
OUTAGE_PAIRS = 3
"""Approvable pairs kept out of every other story, so no cached Dukcapil answer hides the outage."""


@dataclass(frozen=True)
class Story:
    """One registration and the case it stands for (the tag ends its submission id)."""

    tag: str
    payload: Payload


def _company_registration(company: NibRecord, person: PersonRecord) -> Payload:
    """An approvable registration before its submission id and time are set."""
    return approvable("-", company, person)


def _fixture_registration(case: Fixture) -> Payload:
    """The registration a named fixture is about: its person, on its company."""
    who, person = case.responsible, case.person
    if who is not None:
        return registration("-", case.company, who.name, who.identity_number)
    assert person is not None
    return registration("-", case.company, person.full_name.title(), person.nik)


def _spoiled(base: Payload, change: Callable[[Payload], None]) -> Payload:
    payload = copy.deepcopy(base)
    change(payload)
    return payload


def _set(path: str, value: Any) -> Callable[[Payload], None]:
    """A change that sets one dotted path of the payload."""

    def change(payload: Payload) -> None:
        *parents, leaf = path.split(".")
        target = payload
        for part in parents:
            target = target[part]
        target[leaf] = value

    return change


def _dotted(npwp15: str) -> str:
    """The printed form of a 15-digit NPWP: ``01.234.567.8-901.000``."""
    n = npwp15
    return f"{n[:2]}.{n[2:5]}.{n[5:8]}.{n[8]}-{n[9:12]}.{n[12:]}"


def _approvals(world: World, pairs: list[tuple[NibRecord, PersonRecord]]) -> Iterator[Story]:
    for company, person in pairs:
        yield Story("APPROVABLE", _company_registration(company, person))
    for company, person in pairs[:20]:
        base = _company_registration(company, person)
        yield Story("NPWP16", _spoiled(base, _set("organisation.npwp", "0" + company.npwp)))
    for company, person in pairs[20:]:
        base = _company_registration(company, person)
        yield Story(
            "NPWP-PRINTED", _spoiled(base, _set("organisation.npwp", _dotted(company.npwp)))
        )
    for company, person in pairs[20:23]:
        base = _company_registration(company, person)
        yield Story("FOUNDATION", _foundation(base))
    company, person = pairs[23]
    yield Story("MINISTRY-NO-NIB", _ministry(_company_registration(company, person)))
    yield Story("TITLED", _fixture_registration(world.fixture("titled_responsible_person")))
    for name in ("passport_responsible_person", "representative_office"):
        yield Story("PASSPORT", _passport(world.fixture(name)))
    for case in world.fixtures("sole_proprietor"):
        payload = _fixture_registration(case)
        payload["organisation"]["trader_type"] = "PELAKU_USAHA_PERSEORANGAN"
        yield Story("SOLE-PROPRIETOR", payload)


def _foundation(base: Payload) -> Payload:
    """A Yayasan registering "Tanpa NIB" and "Tanpa NPWP": only Dukcapil is asked."""
    org = base["organisation"]
    org.update(trader_type="YAYASAN", nib="-", npwp="-", name=f"Yayasan {org['name'][3:]}")
    org["business_types"] = ["IMPORTIR"]
    return base


def _ministry(base: Payload) -> Payload:
    """A K/L/D without NIB (§5.2.2) but with its NPWP: DJP and Dukcapil are asked."""
    base["organisation"].update(trader_type="KEMENTERIAN_LEMBAGA_DAERAH", nib="-")
    return base


def _passport(case: Fixture) -> Payload:
    """A foreign company's representative, identified by passport (not in Dukcapil)."""
    who = case.responsible
    assert who is not None
    payload = registration("-", case.company, who.name, who.identity_number)
    payload["applicant"]["identity"] = {"kind": "PASSPORT", "number": who.identity_number}
    return payload


def _wrong_identities(
    world: World, pairs: list[tuple[NibRecord, PersonRecord]], rng: random.Random
) -> Iterator[Story]:
    """NIKs that are not the applicant's: another resident's, unknown ones, malformed ones."""
    people = list(world.people)
    for company, person in pairs[:4]:
        other = next(p for p in people if p.nik != person.nik and p.nik[:2] == person.nik[:2])
        base = _company_registration(company, person)
        yield Story("WRONG-NIK", _spoiled(base, _set("applicant.identity.number", other.nik)))
    for company, person in pairs[4:7]:
        unknown = make_nik(rng, date(1980, 5, 17), female=False)
        base = _company_registration(company, person)
        yield Story("UNKNOWN-NIK", _spoiled(base, _set("applicant.identity.number", unknown)))
    for company, person, bad in zip(
        [c for c, _ in pairs[7:10]],
        [p for _, p in pairs[7:10]],
        ("317101170885000", "0000011708850001", "3171013208850001"),
        strict=True,
    ):
        base = _company_registration(company, person)
        yield Story("BAD-NIK", _spoiled(base, _set("applicant.identity.number", bad)))
    yield Story("NIK-NOT-IN-DUKCAPIL", _fixture_registration(world.fixture("nik_not_in_dukcapil")))
    for case in world.fixtures("dukcapil_name_mismatch"):
        yield Story("DUKCAPIL-NAME", _fixture_registration(case))


def _agency_facts(
    world: World, pairs: list[tuple[NibRecord, PersonRecord]], rng: random.Random
) -> Iterator[Story]:
    """What only the agencies know: NIB status, NPWP status, who is on the NIB."""
    for tag, name in (
        ("FROZEN-NIB", "frozen_nib"),
        ("REVOKED-NIB", "revoked_nib"),
        ("NPWP-NOT-ACTIVE", "npwp_not_active"),
        ("NPWP-UNKNOWN", "npwp_unknown"),
        ("NIB-NOT-YET-ACTIVE", "nib_not_yet_active"),
        ("DJP-NAME-DIFFERS", "npwp_name_mismatch"),
    ):
        for case in world.fixtures(name):
            yield Story(tag, _fixture_registration(case))
            if tag.endswith("-NIB"):  # every director of a frozen company is refused
                for other in case.company.responsible[1:]:
                    payload = registration("-", case.company, other.name, other.identity_number)
                    yield Story(tag, payload)
    for index, outsider in enumerate(_outsiders(world) * 3):
        company, _ = pairs[(index * 5) % len(pairs)]
        payload = registration("-", company, outsider.full_name.title(), outsider.nik)
        yield Story("OUTSIDER", payload)
    for company, person in pairs[10:12]:
        base = _company_registration(company, person)
        yield Story("NIB-UNKNOWN", _spoiled(base, _set("organisation.nib", make_nib(rng))))


def _outsiders(world: World) -> list[PersonRecord]:
    """Residents Dukcapil knows who are on no NIB at all."""
    listed = {r.identity_number for c in world.companies for r in c.responsible}
    return [p for p in world.people if p.nik not in listed]


def _form_problems(pairs: list[tuple[NibRecord, PersonRecord]]) -> Iterator[Story]:
    """One broken rule of R1 to R12 each (and one with several), on otherwise approvable forms."""
    changes: list[tuple[str, Callable[[Payload], None]]] = [
        ("FORM-PURPOSE", _set("request.purpose", "INFORMASI")),
        ("FORM-TRADER-TYPE", _set("organisation.trader_type", "KOPERASI")),
        ("FORM-NIB-12", _set("organisation.nib", "912000123456")),
        ("FORM-NIB-REQUIRED", _set("organisation.nib", "-")),
        ("FORM-NPWP-REQUIRED", _set("organisation.npwp", "-")),
        ("FORM-NPWP", _set("organisation.npwp", "01.770.411.5-013")),
        ("FORM-NAME", _set("organisation.name", " ")),
        ("FORM-BUSINESS-NONE", _set("organisation.business_types", [])),
        ("FORM-BUSINESS-UNKNOWN", _set("organisation.business_types", ["IMPORTIR", "PEDAGANG"])),
        ("FORM-BUSINESS-TWICE", _set("organisation.business_types", ["PPJK", "PPJK"])),
        ("FORM-ADDRESS", _set("organisation.address", "")),
        ("FORM-POSITION", _set("applicant.position", None)),
        ("FORM-IDENTITY-KIND", _set("applicant.identity.kind", "SIM")),
        ("FORM-PASSPORT", _set("applicant.identity", {"kind": "PASSPORT", "number": "A1"})),
        ("FORM-EMAIL", _set("applicant.email", "applicant-at-example.co.id")),
        ("FORM-PHONE", _set("applicant.phone", "12")),
        ("FORM-SK-MISSING", _set("attachments.power_of_attorney", None)),
        ("FORM-SK-TOO-LARGE", _set("attachments.power_of_attorney.size_bytes", 3 * 1024 * 1024)),
        ("FORM-SK-REFERENCE", _set("attachments.power_of_attorney.sha256", "abc")),
        ("FORM-TERMS", _set("consent.accepted", False)),
    ]
    for index, (tag, change) in enumerate(changes):
        company, person = pairs[index % len(pairs)]
        yield Story(tag, _spoiled(_company_registration(company, person), change))
    company, person = pairs[-1]
    several = _company_registration(company, person)
    for change in (
        _set("applicant.email", "x"),
        _set("applicant.phone", "1"),
        _set("consent.accepted", False),
    ):
        change(several)
    yield Story("FORM-SEVERAL", several)


def _documents(pairs: list[tuple[NibRecord, PersonRecord]]) -> Iterator[Story]:
    """Surat Kuasa references the document store cannot vouch for (R11)."""
    for company, person in pairs[:2]:
        base = _company_registration(company, person)
        yield Story(
            "SK-NOT-STORED",
            _spoiled(base, _set("attachments.power_of_attorney.document_id", "DOC-NEVER-UPLOADED")),
        )
    forged = hashlib.sha256(b"another file").hexdigest()
    for company, person in pairs[2:4]:
        base = _company_registration(company, person)
        yield Story("SK-HASH", _spoiled(base, _set("attachments.power_of_attorney.sha256", forged)))


def _stamped(index: int, story: Story) -> Story:
    """Give a story its submission id and a time in November 2026 (WIB, office hours)."""
    payload = copy.deepcopy(story.payload)
    sid = f"H2611-{index:03d}-{story.tag}"
    when = MONTH_START + timedelta(
        days=(index * 7) % 19, hours=index % 9, minutes=(index * 13) % 60
    )
    payload["submission_id"] = sid
    payload["submitted_at"] = when.isoformat()
    if payload["applicant"].get("email") == PLACEHOLDER_EMAIL:  # a spoiled email stays spoiled
        payload["applicant"]["email"] = f"applicant.{sid.lower()}@example.co.id"
    if payload.get("consent", {}).get("accepted_at"):
        payload["consent"]["accepted_at"] = (when - timedelta(minutes=2)).isoformat()
    return Story(story.tag, payload)


def _examples() -> Iterator[Story]:
    for payload in examples().values():
        yield Story(payload["submission_id"], payload)


@dataclass(frozen=True)
class Plan:
    """The whole history: the first wave, the outage wave, and the referrals officers decide."""

    first: list[Story]
    outage: list[Story]
    officer_approves: str
    officer_rejects: str


def plan(world: World = WORLD) -> Plan:
    """Every story, stamped; the same world always gives the same plan."""
    rng = random.Random(SEED)
    pairs = list(world.approvable())
    kept, outage_pairs = pairs[:-OUTAGE_PAIRS], pairs[-OUTAGE_PAIRS:]
    stories = [
        *_examples(),
        *_approvals(world, kept),
        *_wrong_identities(world, kept, rng),
        *_agency_facts(world, kept, rng),
        *_form_problems(kept),
        *_documents(kept),
    ]
    outage = [Story("DUKCAPIL-OUTAGE", _company_registration(c, p)) for c, p in outage_pairs]
    stamped = [_stamped(i, s) for i, s in enumerate([*stories, *outage], start=1)]
    first, late = stamped[: len(stories)], stamped[len(stories) :]
    first_of = {s.tag: s.payload["submission_id"] for s in reversed(first)}
    return Plan(first, late, first_of["NIB-NOT-YET-ACTIVE"], first_of["DJP-NAME-DIFFERS"])
