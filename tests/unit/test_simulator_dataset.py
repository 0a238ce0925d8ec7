"""The simulators' seeded world: deterministic, well-formed, fixtures as named."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

from simulators.__main__ import main
from simulators.dataset import DEFAULT_SEED, WORLD, World, normalise_name
from simulators.records import ACTOR_TYPES, IDENTITY_TYPES, NIB_STATUSES

TODAY = datetime.date.today()


def nik_birth_date(nik: str) -> tuple[datetime.date, str]:
    """Decode (birth date, sex) from a NIK by its documented layout."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    century = 1900 if year > TODAY.year % 100 else 2000
    return datetime.date(century + year, month, day % 40), sex


def test_same_seed_same_world_and_other_seed_other_world():
    a, b, c = World(7), World(7), World(8)
    assert a.companies == b.companies
    assert a.people == b.people
    assert a.taxpayers == b.taxpayers
    assert a.companies != c.companies
    assert World().companies == WORLD.companies
    assert WORLD.seed == DEFAULT_SEED


def test_world_size_and_unique_keys():
    assert len(WORLD.companies) == 40
    assert len({c.nib for c in WORLD.companies}) == 40
    assert len({p.nik for p in WORLD.people}) == len(WORLD.people)
    assert len({c.company_name for c in WORLD.companies}) == 40
    assert len({t.npwp16 for t in WORLD.taxpayers}) == len(WORLD.taxpayers)


def test_every_nib_is_13_digits_and_codes_are_known():
    for company in WORLD.companies:
        assert re.fullmatch(r"\d{13}", company.nib)
        assert company.actor_type in ACTOR_TYPES
        assert company.status in NIB_STATUSES
        assert company.kbli
        assert 1 <= len(company.responsible) <= 4
        for entry in company.kbli:
            assert re.fullmatch(r"\d{5}", entry.code)
            assert entry.project_id.startswith("R-")
        for person in company.responsible:
            assert person.identity_type in IDENTITY_TYPES
            assert person.name.strip() and person.position.strip()


def test_every_company_npwp_is_valid():
    for company in WORLD.companies:
        assert re.fullmatch(r"\d{15}", company.npwp)
        assert stdnum_npwp.is_valid(company.npwp), company.npwp
    for taxpayer in WORLD.taxpayers:
        assert stdnum_npwp.is_valid(taxpayer.npwp16)
        assert len(taxpayer.npwp16) == 16
        if taxpayer.npwp15 is not None:
            assert stdnum_npwp.is_valid(taxpayer.npwp15)
        if taxpayer.kind == "BADAN":
            assert taxpayer.npwp16 == "0" + (taxpayer.npwp15 or "")
        else:  # resident individuals: NPWP16 is the NIK
            assert stdnum_nik.is_valid(taxpayer.npwp16)


def test_some_people_have_a_personal_npwp_equal_to_their_nik():
    personal = [t for t in WORLD.taxpayers if t.kind == "ORANG_PRIBADI"]
    assert len(personal) >= 3
    assert any(WORLD.person_by_nik(t.npwp16) for t in personal)
    assert any(t.npwp15 is None for t in personal)


def test_a_corrupted_check_digit_is_rejected_by_stdnum():
    npwp = WORLD.fixture("approved_company").company.npwp
    bad = npwp[:8] + str((int(npwp[8]) + 1) % 10) + npwp[9:]
    assert not stdnum_npwp.is_valid(bad)


def test_every_nik_is_structurally_valid_with_a_past_birth_date():
    for person in WORLD.people:
        assert re.fullmatch(r"\d{16}", person.nik)
        assert stdnum_nik.is_valid(person.nik), person.nik
        birth, sex = nik_birth_date(person.nik)
        assert birth == person.birth_date
        assert sex == person.sex
        assert person.birth_date < TODAY
        assert int(person.nik[12:]) >= 1
        assert person.full_name == person.full_name.upper()


def test_ktp_identities_on_nibs_are_niks_and_passports_are_8_to_10_alphanumerics():
    for company in WORLD.companies:
        for person in company.responsible:
            if person.identity_type == "01":
                assert stdnum_nik.is_valid(person.identity_number)
            else:
                assert re.fullmatch(r"[A-Z0-9]{8,10}", person.identity_number)


def test_frozen_revoked_and_mismatches_are_present():
    statuses = [c.status for c in WORLD.companies]
    assert statuses.count("05") == 3
    assert statuses.count("06") == 3
    npwp_mismatch = [
        c
        for c in WORLD.companies
        if (t := WORLD.taxpayer_by_npwp(c.npwp))
        and normalise_name(t.name) != normalise_name(c.company_name)
    ]
    assert len(npwp_mismatch) == 3
    assert len(WORLD.fixtures("dukcapil_name_mismatch")) == 3


def test_approved_company_passes_every_check():
    f = WORLD.fixture("approved_company")
    assert f.company.status == "01"
    assert f.taxpayer is not None and f.taxpayer.status == "VALID"
    assert normalise_name(f.taxpayer.name) == normalise_name(f.company.company_name)
    assert f.responsible is not None and f.responsible in f.company.responsible
    assert f.responsible.identity_type == "01"
    assert f.person is not None and f.person.nik == f.responsible.identity_number
    assert normalise_name(f.person.full_name) == normalise_name(f.responsible.name)
    assert WORLD.is_approvable(f.company, f.responsible)


def test_not_responsible_person_is_real_but_on_no_nib():
    f = WORLD.fixture("not_responsible_person")
    assert f.responsible is None
    assert f.person is not None and WORLD.person_by_nik(f.person.nik) == f.person
    assert f.company.status == "01"
    assert f.taxpayer is not None and f.taxpayer.status == "VALID"
    for company in WORLD.companies:
        assert company.responsible_by_id(f.person.nik) is None


@pytest.mark.parametrize(("name", "status"), [("frozen_nib", "05"), ("revoked_nib", "06")])
def test_frozen_and_revoked_fixtures_fail_only_on_status(name, status):
    cases = WORLD.fixtures(name)
    assert len(cases) == 3
    for f in cases:
        assert f.company.status == status
        assert f.taxpayer is not None and f.taxpayer.status == "VALID"
        assert f.person is not None and f.responsible is not None
        assert normalise_name(f.person.full_name) == normalise_name(f.responsible.name)
        assert not WORLD.is_approvable(f.company, f.responsible)


def test_npwp_fixtures():
    f = WORLD.fixture("npwp_name_mismatch")
    assert f.taxpayer is not None and f.taxpayer.status == "VALID"
    assert normalise_name(f.taxpayer.name) != normalise_name(f.company.company_name)
    f = WORLD.fixture("npwp_not_active")
    assert f.taxpayer is not None and f.taxpayer.status == "NOT_ACTIVE"
    f = WORLD.fixture("npwp_unknown")
    assert f.taxpayer is None and stdnum_npwp.is_valid(f.company.npwp)
    assert WORLD.taxpayer_by_npwp(f.company.npwp) is None


def test_person_fixtures():
    f = WORLD.fixture("dukcapil_name_mismatch")
    assert f.person is not None and f.responsible is not None
    assert f.person.nik == f.responsible.identity_number
    assert normalise_name(f.person.full_name) != normalise_name(f.responsible.name)
    f = WORLD.fixture("nik_not_in_dukcapil")
    assert f.person is None and f.responsible is not None
    assert stdnum_nik.is_valid(f.responsible.identity_number)
    f = WORLD.fixture("titled_responsible_person")
    assert f.person is not None and f.responsible is not None
    assert re.match(r"(Ir|Dr|Hj?)\. ", f.responsible.name)
    assert f.person.full_name.casefold() in f.responsible.name.casefold()
    f = WORLD.fixture("passport_responsible_person")
    assert f.company.actor_type == "04" and f.person is None
    assert f.responsible is not None and f.responsible.identity_type == "02"
    assert WORLD.fixture("representative_office").company.actor_type == "03"
    assert WORLD.fixture("nib_not_yet_active").company.status == "02"


def test_sole_proprietor_uses_the_owners_personal_npwp():
    f = WORLD.fixture("sole_proprietor")
    assert f.company.actor_type == "02"
    assert f.person is not None and f.taxpayer is not None
    assert f.taxpayer.kind == "ORANG_PRIBADI"
    assert f.taxpayer.npwp16 == f.person.nik
    assert WORLD.taxpayer_by_npwp(f.person.nik) == f.taxpayer
    assert WORLD.is_approvable(f.company, f.company.responsible[0])


def test_every_fixture_name_has_a_case_and_unknown_names_fail():
    for name in WORLD.fixture_names():
        assert WORLD.fixtures(name), name
        assert WORLD.fixture(name).name == name
    with pytest.raises(KeyError):
        WORLD.fixture("no_such_fixture")


def test_iter_approvable_yields_n_approvable_pairs_cycling():
    pool = WORLD.approvable()
    assert len(pool) >= 20
    pairs = list(WORLD.iter_approvable(len(pool) * 2 + 3))
    assert len(pairs) == len(pool) * 2 + 3
    assert pairs[: len(pool)] == list(pool) == pairs[len(pool) : 2 * len(pool)]
    for company, person in pairs[: len(pool)]:
        responsible = company.responsible_by_id(person.nik)
        assert responsible is not None
        assert WORLD.is_approvable(company, responsible)
        assert company.status not in ("05", "06")
    assert not any(c.status in ("05", "06") for c, _ in pool)


def test_dump_fixtures_prints_every_fixture_as_json(capsys):
    assert main(["dump-fixtures"]) == 0
    dumped = json.loads(capsys.readouterr().out)
    assert set(dumped) == set(WORLD.fixture_names())
    approved = dumped["approved_company"][0]
    assert approved["company"]["nib"] == WORLD.fixture("approved_company").company.nib
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", approved["person"]["birth_date"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_seeds_keep_the_fixture_properties(seed):
    world = World(seed)
    f = world.fixture("approved_company")
    assert f.responsible is not None and world.is_approvable(f.company, f.responsible)
    assert [c.status for c in world.companies].count("05") == 3
    assert len(world.approvable()) >= 20
    assert all(world.fixtures(name) for name in world.fixture_names())
