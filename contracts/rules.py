"""The rule catalogue: every rule of the registration manual, R1 to R19, with its reason codes.

Why one catalogue: a decision's ``rules`` list, the officers' console, the
email texts and the documentation all name rules. When each kept its own
list, a new rule (R20) never appeared in decisions and the account rules kept
their codes elsewhere. Here a rule is one row; everything that lists rules
loops over :data:`RULES`.

``stage`` says who settles the rule: the form (at the gateway, from the
submission alone), an agency (at the gateway, from an agency's answer), an
officer (R13, the 24-hour promise people keep) or the account service (R14 to
R19, after the decision). Decisions list the rules of the first three stages.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from contracts import reasons as rc
from contracts.reasons import ReasonCode


class Stage(StrEnum):
    """Where a rule is settled."""

    FORM = "form"
    AGENCY = "agency"
    OFFICER = "officer"
    ACCOUNT = "account"


DECISION_STAGES = frozenset({Stage.FORM, Stage.AGENCY, Stage.OFFICER})
"""Rules settled on the way to a decision, so listed on every decision."""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule: its id, what it asks (in both languages), its stage and reason codes."""

    rule: str
    stage: Stage
    title_id: str
    title_en: str

    def codes(self) -> list[ReasonCode]:
        """The catalogue's reason codes that name this rule."""
        return [code for code in rc.catalogue().values() if code.rule == self.rule]


def _rule(rule: str, stage: Stage, title_id: str, title_en: str) -> RuleSpec:
    return RuleSpec(rule, stage, title_id, title_en)


RULES: tuple[RuleSpec, ...] = (
    _rule("R1", Stage.FORM, "Tujuan penggunaan dan jenis pengguna", "Purpose and user kind"),
    _rule("R2", Stage.FORM, "Jenis trader", "Trader type"),
    _rule("R3", Stage.FORM, "NIB (13 digit, aktif di OSS)", "NIB (13 digits, active at OSS)"),
    _rule("R4", Stage.FORM, "NPWP (sesuai DJP dan NIB)", "NPWP (agrees with DJP and the NIB)"),
    _rule("R5", Stage.FORM, "Nama organisasi", "Organisation name"),
    _rule("R6", Stage.FORM, "Jenis usaha", "Business types"),
    _rule("R7", Stage.FORM, "Alamat", "Address"),
    _rule(
        "R8",
        Stage.AGENCY,
        "Pemohon adalah penanggung jawab pada NIB",
        "The applicant is a responsible person on the NIB",
    ),
    _rule("R9", Stage.AGENCY, "Identitas pemohon (NIK atau paspor)", "Applicant identity"),
    _rule("R10", Stage.FORM, "Email dan nomor telepon aktif", "Active email and phone"),
    _rule("R11", Stage.FORM, "Surat Kuasa (maks. 1 MB)", "Power of attorney (max 1 MB)"),
    _rule("R12", Stage.FORM, "Syarat dan ketentuan disetujui", "Terms accepted"),
    _rule("R13", Stage.OFFICER, "Keputusan dalam 1x24 jam", "Decision within 1x24 hours"),
    _rule("R14", Stage.ACCOUNT, "Email persetujuan", "Approval email"),
    _rule("R15", Stage.ACCOUNT, "Email penolakan beserta alasan", "Rejection email with reasons"),
    _rule("R16", Stage.ACCOUNT, "Username unik (6 heksadesimal)", "Unique username (6 hex)"),
    _rule("R17", Stage.ACCOUNT, "Pengirim noreply@insw.go.id", "Sender noreply@insw.go.id"),
    _rule("R18", Stage.ACCOUNT, "Syarat password", "Password requirements"),
    _rule("R19", Stage.ACCOUNT, "Tautan kedaluwarsa dan kirim ulang", "Expired link and resend"),
)
"""The manual's rules in order (shared/DOMAIN.md)."""


def decision_rules(catalogue: Iterable[RuleSpec] = RULES) -> list[RuleSpec]:
    """The rules every decision lists, in catalogue order."""
    return [spec for spec in catalogue if spec.stage in DECISION_STAGES]


def by_rule(catalogue: Iterable[RuleSpec] = RULES) -> dict[str, RuleSpec]:
    """The catalogue by rule id."""
    return {spec.rule: spec for spec in catalogue}
