"""The three agency clients pass the one adapter conformance suite over real HTTP."""

from adapters.djp_npwp.client import DjpNpwpClient
from adapters.dukcapil.client import DukcapilClient
from adapters.oss_nib.client import OssNibClient
from contracts.verification import Check, VerificationRequested
from simulators.dataset import WORLD
from tests.adapter_conformance import AdapterConformance, MismatchConformance

APPROVED = WORLD.fixture("approved_company")


def ask(check: Check, identifier: str, full_name: str | None = None) -> VerificationRequested:
    return VerificationRequested(
        submission_id="SUB-CONFORMANCE", check=check, identifier=identifier, full_name=full_name
    )


class TestOssConformance(AdapterConformance):
    simulator, agency = "oss", "oss"
    make_client = OssNibClient

    def verified(self):
        return ask(Check.NIB, APPROVED.company.nib)

    def not_found(self):
        return ask(Check.NIB, "9999999999999")

    def invalid(self):
        return ask(Check.NIB, "123456789012")


class TestDjpConformance(AdapterConformance):
    simulator, agency = "djp", "djp"
    make_client = DjpNpwpClient

    def verified(self):
        return ask(Check.NPWP, APPROVED.company.npwp)

    def not_found(self):
        return ask(Check.NPWP, WORLD.fixture("npwp_unknown").company.npwp)

    def invalid(self):
        return ask(Check.NPWP, "12345678901234")


class TestDukcapilConformance(MismatchConformance):
    simulator, agency = "dukcapil", "dukcapil"
    make_client = DukcapilClient

    def _person(self, fixture: str):
        person = WORLD.fixture(fixture).person
        assert person is not None
        return person

    def verified(self):
        person = self._person("approved_company")
        return ask(Check.NIK, person.nik, person.full_name)

    def not_found(self):
        return ask(Check.NIK, "3171010101900001", "Nama Yang Tidak Ada")

    def invalid(self):
        return ask(Check.NIK, "317101010190000", "Nama")

    def mismatch(self):
        person = self._person("approved_company")
        return ask(Check.NIK, person.nik, "Someone Else Entirely")
