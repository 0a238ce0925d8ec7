"""Reason codes: why a registration was rejected or referred.

Codes are stable identifiers that clients may switch on; texts are for people,
in Indonesian and English as the INSW emails are. A code names its rule (R1 to
R19 from the registration manual) so every reason can be traced to the seed.
"""

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict


class Reason(BaseModel):
    """One explained reason attached to a decision."""

    model_config = ConfigDict(frozen=True)

    code: str
    rule: str
    field: str
    text_id: str
    text_en: str


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """A catalogue entry: a code with its rule and its two texts."""

    code: str
    rule: str
    text_id: str
    text_en: str

    def at(self, field: str) -> Reason:
        """This reason, attached to the field path it concerns."""
        return Reason(
            code=self.code, rule=self.rule, field=field, text_id=self.text_id, text_en=self.text_en
        )


def _r(code: str, rule: str, text_id: str, text_en: str) -> ReasonCode:
    return ReasonCode(code, rule, text_id, text_en)


PURPOSE_NOT_SUPPORTED = _r(
    "PURPOSE_NOT_SUPPORTED",
    "R1",
    "Tujuan penggunaan tidak dilayani; hanya akun Transaksi (Pengajuan/Umum).",
    "Purpose of use not supported; only Transaksi (Pengajuan/Umum) accounts.",
)
TRADER_TYPE_UNKNOWN = _r(
    "TRADER_TYPE_UNKNOWN",
    "R2",
    "Jenis trader tidak dikenal.",
    "Unknown trader type.",
)
NIB_FORMAT = _r(
    "NIB_FORMAT",
    "R3",
    "NIB harus berupa 13 digit angka.",
    "NIB must be exactly 13 digits.",
)
NIB_REQUIRED = _r(
    "NIB_REQUIRED",
    "R3",
    "NIB wajib diisi untuk jenis trader ini.",
    "NIB is required for this trader type.",
)
NIB_NOT_FOUND = _r(
    "NIB_NOT_FOUND",
    "R3",
    "NIB tidak ditemukan di OSS.",
    "NIB not found at OSS.",
)
NIB_NOT_ACTIVE = _r(
    "NIB_NOT_ACTIVE",
    "R3",
    "NIB dibekukan atau dicabut.",
    "NIB is frozen or revoked.",
)
NIB_NOT_YET_ACTIVE = _r(
    "NIB_NOT_YET_ACTIVE",
    "R3",
    "NIB belum aktif di OSS; permohonan diteruskan ke petugas.",
    "The NIB is not yet active at OSS; the application was referred to an officer.",
)
NPWP_FORMAT = _r(
    "NPWP_FORMAT",
    "R4",
    "NPWP harus berupa 15 atau 16 digit angka.",
    "NPWP must be 15 or 16 digits.",
)
NPWP_REQUIRED = _r(
    "NPWP_REQUIRED",
    "R4",
    "NPWP wajib diisi untuk jenis trader ini.",
    "NPWP is required for this trader type.",
)
NPWP_NOT_FOUND = _r(
    "NPWP_NOT_FOUND",
    "R4",
    "NPWP tidak ditemukan di DJP.",
    "NPWP not found at DJP.",
)
NPWP_NOT_ACTIVE = _r(
    "NPWP_NOT_ACTIVE",
    "R4",
    "NPWP tidak aktif.",
    "NPWP is not active.",
)
NPWP_NIB_MISMATCH = _r(
    "NPWP_NIB_MISMATCH",
    "R4",
    "NPWP tidak sesuai dengan NPWP pada data NIB.",
    "NPWP does not match the NPWP on the NIB.",
)
NPWP_NAME_DIFFERS = _r(
    "NPWP_NAME_DIFFERS",
    "R4",
    "Nama wajib pajak di DJP berbeda dengan nama perusahaan di OSS; diteruskan ke petugas.",
    "The taxpayer name at DJP differs from the company name at OSS; referred to an officer.",
)
ORGANISATION_NAME_REQUIRED = _r(
    "ORGANISATION_NAME_REQUIRED",
    "R5",
    "Nama organisasi wajib diisi.",
    "Organisation name is required.",
)
BUSINESS_TYPE_REQUIRED = _r(
    "BUSINESS_TYPE_REQUIRED",
    "R6",
    "Pilih minimal satu jenis usaha.",
    "Choose at least one business type.",
)
BUSINESS_TYPE_UNKNOWN = _r(
    "BUSINESS_TYPE_UNKNOWN",
    "R6",
    "Jenis usaha tidak dikenal.",
    "Unknown business type.",
)
BUSINESS_TYPE_DUPLICATE = _r(
    "BUSINESS_TYPE_DUPLICATE",
    "R6",
    "Jenis usaha dipilih lebih dari sekali.",
    "Business type chosen more than once.",
)
ADDRESS_REQUIRED = _r(
    "ADDRESS_REQUIRED",
    "R7",
    "Alamat wajib diisi.",
    "Address is required.",
)
APPLICANT_NAME_REQUIRED = _r(
    "APPLICANT_NAME_REQUIRED",
    "R8",
    "Nama lengkap pemohon wajib diisi.",
    "Applicant full name is required.",
)
APPLICANT_POSITION_REQUIRED = _r(
    "APPLICANT_POSITION_REQUIRED",
    "R8",
    "Jabatan pemohon wajib diisi.",
    "Applicant position is required.",
)
APPLICANT_NOT_RESPONSIBLE_PERSON = _r(
    "APPLICANT_NOT_RESPONSIBLE_PERSON",
    "R8",
    "Pemohon tidak terdaftar sebagai penanggung jawab pada NIB.",
    "Applicant is not listed as a responsible person on the NIB.",
)
NIK_FORMAT = _r(
    "NIK_FORMAT",
    "R9",
    "NIK harus berupa 16 digit angka.",
    "NIK must be exactly 16 digits.",
)
PASSPORT_FORMAT = _r(
    "PASSPORT_FORMAT",
    "R9",
    "Nomor paspor harus 8 sampai 10 karakter alfanumerik.",
    "Passport number must be 8 to 10 alphanumeric characters.",
)
IDENTITY_KIND_UNKNOWN = _r(
    "IDENTITY_KIND_UNKNOWN",
    "R9",
    "Jenis identitas harus NIK atau paspor.",
    "Identity must be a NIK or a passport.",
)
NIK_REGION_UNKNOWN = _r(
    "NIK_REGION_UNKNOWN",
    "R9",
    "Kode wilayah NIK tidak dikenal tabel wilayah hub; keberadaan NIK diperiksa Dukcapil.",
    "The NIK's region code is not in the hub's region table; Dukcapil decides whether it exists.",
)
NIK_NOT_VERIFIED = _r(
    "NIK_NOT_VERIFIED",
    "R9",
    "NIK dan nama tidak sesuai dengan data Dukcapil.",
    "NIK and name do not match the civil registry (Dukcapil).",
)
EMAIL_FORMAT = _r(
    "EMAIL_FORMAT",
    "R10",
    "Alamat email tidak valid.",
    "Email address is not valid.",
)
PHONE_FORMAT = _r(
    "PHONE_FORMAT",
    "R10",
    "Nomor telepon tidak valid.",
    "Phone number is not valid.",
)
POWER_OF_ATTORNEY_REQUIRED = _r(
    "POWER_OF_ATTORNEY_REQUIRED",
    "R11",
    "Surat Kuasa wajib dilampirkan.",
    "A power of attorney (Surat Kuasa) is required.",
)
POWER_OF_ATTORNEY_TOO_LARGE = _r(
    "POWER_OF_ATTORNEY_TOO_LARGE",
    "R11",
    "Ukuran Surat Kuasa maksimal 1 MB.",
    "The power of attorney may be at most 1 MB.",
)
POWER_OF_ATTORNEY_NOT_PDF = _r(
    "POWER_OF_ATTORNEY_NOT_PDF",
    "R11",
    "Surat Kuasa harus berupa dokumen PDF.",
    "The power of attorney must be a PDF document.",
)
POWER_OF_ATTORNEY_REFERENCE = _r(
    "POWER_OF_ATTORNEY_REFERENCE",
    "R11",
    "Referensi dokumen Surat Kuasa tidak lengkap.",
    "The power of attorney reference is incomplete (document id and SHA-256).",
)
POWER_OF_ATTORNEY_NOT_FOUND = _r(
    "POWER_OF_ATTORNEY_NOT_FOUND",
    "R11",
    "Dokumen Surat Kuasa tidak ditemukan di penyimpanan dokumen INSW.",
    "The power of attorney was not found in the INSW document store.",
)
POWER_OF_ATTORNEY_HASH_MISMATCH = _r(
    "POWER_OF_ATTORNEY_HASH_MISMATCH",
    "R11",
    "Sidik jari (SHA-256) Surat Kuasa tidak sesuai dengan dokumen yang tersimpan.",
    "The power of attorney's SHA-256 does not match the stored document.",
)
TERMS_NOT_ACCEPTED = _r(
    "TERMS_NOT_ACCEPTED",
    "R12",
    "Syarat dan ketentuan belum disetujui.",
    "Terms and conditions were not accepted.",
)
AGENCY_UNAVAILABLE = _r(
    "AGENCY_UNAVAILABLE",
    "R13",
    "Layanan instansi tidak dapat dihubungi; permohonan diteruskan ke petugas.",
    "An agency could not be reached; the application was referred to an officer.",
)
AGENCY_REFUSED = _r(
    "AGENCY_REFUSED",
    "R13",
    "Instansi menolak permintaan verifikasi; permohonan diteruskan ke petugas.",
    "An agency refused the verification request; the application was referred to an officer.",
)

# Fail closed (R13): facts no agency proved go to an officer, never to approval.
IDENTITY_NOT_PROVEN = _r(
    "IDENTITY_NOT_PROVEN",
    "R9",
    "Identitas pemohon (paspor) tidak dapat dibuktikan oleh instansi; petugas memeriksa "
    "Surat Kuasa.",
    "The applicant's identity (passport) cannot be proven by an agency; an officer reviews "
    "the Surat Kuasa.",
)
ORGANISATION_NOT_PROVEN = _r(
    "ORGANISATION_NOT_PROVEN",
    "R8",
    "Tanpa NIB, kedudukan pemohon sebagai penanggung jawab tidak dapat dibuktikan oleh OSS; "
    "petugas memeriksa Surat Kuasa.",
    "Without an NIB, OSS cannot prove the applicant is a responsible person; an officer "
    "reviews the Surat Kuasa.",
)
RESPONSIBLE_PERSON_NOT_PROVEN = _r(
    "RESPONSIBLE_PERSON_NOT_PROVEN",
    "R8",
    "Pemohon hanya cocok berdasarkan nama pada NIB, tanpa nomor KTP yang terbukti; "
    "diteruskan ke petugas.",
    "The applicant matches a responsible person on the NIB by name only, without a proven "
    "KTP number; referred to an officer.",
)
AGENCY_ANSWER_INCOMPLETE = _r(
    "AGENCY_ANSWER_INCOMPLETE",
    "R13",
    "Jawaban instansi tidak memuat data yang dibutuhkan aturan; diteruskan ke petugas.",
    "The agency's answer lacks the facts the rule needs; referred to an officer.",
)
AGENCY_ANSWER_FOR_OTHER_IDENTIFIER = _r(
    "AGENCY_ANSWER_FOR_OTHER_IDENTIFIER",
    "R13",
    "Jawaban instansi bukan untuk nomor yang ditanyakan; diteruskan ke petugas.",
    "The agency's answer is not about the identifier asked; referred to an officer.",
)
AGENCY_NOT_VERIFIED = _r(
    "AGENCY_NOT_VERIFIED",
    "R13",
    "Instansi tidak dapat memverifikasi data ini.",
    "The agency could not verify this data.",
)

OFFICER_DECISION = _r(
    "OFFICER_DECISION",
    "R13",
    "Diputuskan oleh petugas INSW.",
    "Decided by an INSW officer.",
)


PASSWORD_MAX_LENGTH = 256
"""R18's upper bound: Argon2 hashes any length, but a megabyte password is an attack."""

# Account rules (R14 to R19): the notifier's answers about links and usernames.
TOKEN_INVALID = _r(
    "TOKEN_INVALID",
    "R14",
    "Tautan konfirmasi tidak dikenal; gunakan tautan dari email terakhir.",
    "Unknown confirmation link; use the link from the latest email.",
)
TOKEN_EXPIRED = _r(
    "TOKEN_EXPIRED",
    "R19",
    "Token Expired: tautan sudah kedaluwarsa; minta Kirim Ulang Email.",
    "Token Expired: the link has expired; ask to resend the email.",
)
TOKEN_USED = _r(
    "TOKEN_USED",
    "R19",
    "Token Expired: tautan sudah dipakai untuk memasang password.",
    "Token Expired: the link was already used to set the password.",
)
TOKEN_SUPERSEDED = _r(
    "TOKEN_SUPERSEDED",
    "R19",
    "Token Expired: tautan baru telah dikirim; gunakan tautan dari email terakhir.",
    "Token Expired: a newer link was sent; use the link from the latest email.",
)
USERNAME_FORMAT = _r(
    "USERNAME_FORMAT",
    "R16",
    "Username harus 6 karakter heksadesimal huruf besar.",
    "Username must be six uppercase hexadecimal characters.",
)
ACCOUNT_NOT_FOUND = _r(
    "ACCOUNT_NOT_FOUND",
    "R19",
    "Tidak ada akun yang disetujui dengan username ini.",
    "No approved account has this username.",
)
EMAIL_REFUSED = _r(
    "EMAIL_REFUSED",
    "R19",
    "Server email menolak alamat email yang tercatat; hubungi Contact Center INSW.",
    "The mail server refused the email address on file; contact the INSW Contact Center.",
)
ACCOUNT_ACTIVE = _r(
    "ACCOUNT_ALREADY_ACTIVATED",
    "R19",
    "Password akun ini sudah dipasang.",
    "The password of this account is already set.",
)

PASSWORD_TOO_SHORT = _r(
    "PASSWORD_TOO_SHORT",
    "R18",
    "Password minimal 6 karakter.",
    "Password must be at least 6 characters.",
)
PASSWORD_NEEDS_SYMBOL = _r(
    "PASSWORD_NEEDS_SYMBOL",
    "R18",
    "Password harus mengandung minimal 1 simbol.",
    "Password must contain at least one symbol.",
)
PASSWORD_NEEDS_DIGIT = _r(
    "PASSWORD_NEEDS_DIGIT",
    "R18",
    "Password harus mengandung minimal 1 angka.",
    "Password must contain at least one digit.",
)
PASSWORD_NEEDS_CAPITAL = _r(
    "PASSWORD_NEEDS_CAPITAL",
    "R18",
    "Password harus mengandung minimal 1 huruf kapital.",
    "Password must contain at least one capital letter.",
)
PASSWORD_TOO_LONG = _r(
    "PASSWORD_TOO_LONG",
    "R18",
    f"Password maksimal {PASSWORD_MAX_LENGTH} karakter.",
    f"Password may be at most {PASSWORD_MAX_LENGTH} characters.",
)

# The PPJK's and carrier's extra data (PER-21/BC/2011 Art. 15(3)-(4), C5). They
# belong to the chosen business types, so they report under R6 (the catalogue is R1-R19).
CUSTOMS_EXPERT_NOT_PPJK = _r(
    "CUSTOMS_EXPERT_NOT_PPJK",
    "R6",
    "Ahli kepabeanan hanya diisi untuk jenis usaha PPJK.",
    "A customs expert is given only for the PPJK business type.",
)
CUSTOMS_EXPERT_CERTIFICATE_FORMAT = _r(
    "CUSTOMS_EXPERT_CERTIFICATE_FORMAT",
    "R6",
    "Nomor sertifikat ahli kepabeanan: 3-40 huruf kapital, angka, titik, garis miring atau "
    "tanda hubung.",
    "Customs expert certificate number: 3-40 capital letters, digits, dots, slashes or hyphens.",
)
TRANSPORT_MEANS_NOT_CARRIER = _r(
    "TRANSPORT_MEANS_NOT_CARRIER",
    "R6",
    "Sarana pengangkut hanya diisi untuk jenis usaha Pengangkut.",
    "Transport means are given only for the Pengangkut (carrier) business type.",
)
TRANSPORT_MODE_UNKNOWN = _r(
    "TRANSPORT_MODE_UNKNOWN",
    "R6",
    "Moda sarana pengangkut harus SEA, AIR, LAND atau RAIL.",
    "Transport mode must be SEA, AIR, LAND or RAIL.",
)
TRANSPORT_MEANS_ID_FORMAT = _r(
    "TRANSPORT_MEANS_ID_FORMAT",
    "R6",
    "Identitas sarana pengangkut tidak valid: kapal dengan nomor IMO (IMO + 7 digit, digit "
    "periksa benar), lainnya 2-20 huruf kapital, angka atau tanda hubung.",
    "Invalid transport means identifier: a vessel needs its IMO number (IMO + 7 digits, "
    "valid check digit), others 2-20 capital letters, digits or hyphens.",
)
TRANSPORT_MEANS_DUPLICATE = _r(
    "TRANSPORT_MEANS_DUPLICATE",
    "R6",
    "Sarana pengangkut disebut lebih dari sekali.",
    "The same transport means is listed more than once.",
)
TRANSPORT_MEANS_TOO_MANY = _r(
    "TRANSPORT_MEANS_TOO_MANY",
    "R6",
    "Paling banyak 20 sarana pengangkut.",
    "At most 20 transport means.",
)
TRANSPORT_MEANS_NAME_FORMAT = _r(
    "TRANSPORT_MEANS_NAME_FORMAT",
    "R6",
    "Nama sarana pengangkut maksimal 100 karakter.",
    "Transport means name may be at most 100 characters.",
)


def catalogue() -> dict[str, ReasonCode]:
    """Every reason code by its code, for officers who cite them."""
    return {v.code: v for v in globals().values() if isinstance(v, ReasonCode)}
