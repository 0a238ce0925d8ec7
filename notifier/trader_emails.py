"""The trader's customs emails, in Bahasa Indonesia and English (issue 13); pure rendering.

One template per :class:`~contracts.trader_notification.TraderNotice`: a
title (the subject, Indonesian / English) and a lead sentence per language,
then, shared by every template, the activities concerned, the reasons
customs gave, and the deadline the trader must meet with its last day. The
layout follows the decision emails (:mod:`notifier.emails`): Indonesian
first, English second, the automatic-sender footer, plain text with an HTML
alternative built from the same paragraphs.

The ``Message-ID`` is derived from the notification id (the customs event's
id), so a resend after a crash is recognisably the same message; the id
itself is named in :data:`NOTICE_HEADER` (ids, codes and dates only).
"""

import hashlib
from datetime import date, datetime
from email.message import EmailMessage
from typing import Final, NamedTuple

from contracts.trader_notification import TraderNotice, TraderNotificationRequested
from notifier.emails import compose, footer

NOTICE_HEADER: Final = "X-INSW-Customs-Notice-Id"


class Template(NamedTuple):
    """Title and lead sentence of one email, in both languages ({on}, {sid}, {customs_id})."""

    title_id: str
    title_en: str
    lead_id: str
    lead_en: str


_TEMPLATES: Final = {
    TraderNotice.ENTRY_PROVED: Template(
        "Bukti penerimaan permohonan registrasi kepabeanan",
        "Proof of entry of your customs registration",
        "Bea Cukai menerima permohonan registrasi kepabeanan {sid} pada {on}. Kirimkan "
        "dokumen pendukung (Pasal 6 PER-21/BC/2011) dalam 10 hari kerja.",
        "Customs received customs registration application {sid} on {on}. Send the "
        "supporting documents (PER-21/BC/2011 Art. 6) within 10 working days.",
    ),
    TraderNotice.TTP_RK_ISSUED: Template(
        "Tanda Terima Permohonan Registrasi Kepabeanan (TTP-RK)",
        "Customs registration receipt (TTP-RK)",
        "Dokumen permohonan {sid} lengkap; Bea Cukai menerbitkan TTP-RK pada {on} dan akan "
        "memutuskan dalam 14 hari kerja.",
        "The documents of application {sid} are complete; customs issued the TTP-RK on {on} "
        "and will decide within 14 working days.",
    ),
    TraderNotice.DOCUMENTS_REQUESTED: Template(
        "Permintaan dokumen tambahan",
        "Additional documents requested",
        "Pada {on} Bea Cukai meminta dokumen tambahan untuk permohonan {sid}. Jika dokumen "
        "tidak diterima tepat waktu, Bea Cukai memutuskan berdasarkan data yang ada.",
        "On {on} customs asked for additional documents for application {sid}. If they do "
        "not arrive in time, customs decides on the data it has.",
    ),
    TraderNotice.ACCEPTED: Template(
        "Registrasi kepabeanan disetujui",
        "Customs registration accepted",
        "Permohonan {sid} disetujui pada {on}. Nomor identitas kepabeanan Anda: {customs_id}.",
        "Application {sid} was accepted on {on}. Your customs identity number: {customs_id}.",
    ),
    TraderNotice.REJECTED: Template(
        "Registrasi kepabeanan ditolak",
        "Customs registration rejected",
        "Permohonan {sid} ditolak pada {on}. Anda dapat mengajukan permohonan baru.",
        "Application {sid} was rejected on {on}. You may submit a new application.",
    ),
    TraderNotice.RETURNED: Template(
        "Permohonan registrasi kepabeanan dikembalikan",
        "Customs registration application returned",
        "Permohonan {sid} dikembalikan pada {on} dan tidak dapat diproses. Anda dapat "
        "mengajukan permohonan baru.",
        "Application {sid} was returned on {on} and cannot be processed. You may submit a "
        "new application.",
    ),
    TraderNotice.BLOCKED: Template(
        "Nomor identitas kepabeanan diblokir",
        "Customs identity number blocked",
        "Pada {on} Bea Cukai memblokir nomor identitas kepabeanan {customs_id} untuk "
        "kegiatan berikut.",
        "On {on} customs blocked customs identity number {customs_id} for the activities below.",
    ),
    TraderNotice.UNBLOCKED: Template(
        "Blokir dibuka",
        "Blocking lifted",
        "Pada {on} Bea Cukai membuka blokir nomor identitas kepabeanan {customs_id} untuk "
        "kegiatan berikut.",
        "On {on} customs lifted the blocking of customs identity number {customs_id} for "
        "the activities below.",
    ),
    TraderNotice.UNBLOCK_REFUSED: Template(
        "Permohonan pembukaan blokir ditolak",
        "Unblock application refused",
        "Pada {on} Bea Cukai menolak permohonan pembukaan blokir nomor identitas kepabeanan "
        "{customs_id}; blokir tetap berlaku.",
        "On {on} customs refused the application to lift the blocking of customs identity "
        "number {customs_id}; the blocking stays in force.",
    ),
    TraderNotice.REVOKED: Template(
        "Nomor identitas kepabeanan dicabut",
        "Customs identity number revoked",
        "Pada {on} Bea Cukai mencabut nomor identitas kepabeanan {customs_id} untuk "
        "kegiatan berikut.",
        "On {on} customs revoked customs identity number {customs_id} for the activities below.",
    ),
    TraderNotice.CHANGE_RECEIPTED: Template(
        "Pemberitahuan perubahan data diterima",
        "Data change notification received",
        "Pada {on} Bea Cukai menerima pemberitahuan perubahan data nomor identitas "
        "kepabeanan {customs_id}.",
        "On {on} customs received the data change notification of customs identity number "
        "{customs_id}.",
    ),
    TraderNotice.CHANGE_APPROVED: Template(
        "Perubahan data disetujui",
        "Data change approved",
        "Pada {on} Bea Cukai menyetujui perubahan data nomor identitas kepabeanan {customs_id}.",
        "On {on} customs approved the data change of customs identity number {customs_id}.",
    ),
    TraderNotice.CHANGE_REJECTED: Template(
        "Perubahan data ditolak",
        "Data change rejected",
        "Pada {on} Bea Cukai menolak perubahan data nomor identitas kepabeanan {customs_id}.",
        "On {on} customs rejected the data change of customs identity number {customs_id}.",
    ),
    TraderNotice.SITE_CHECK_RECORDED: Template(
        "Hasil pemeriksaan lokasi",
        "Site check result",
        "Pada {on} Bea Cukai mencatat hasil pemeriksaan lokasi untuk nomor identitas "
        "kepabeanan {customs_id}.",
        "On {on} customs recorded the result of a site check of customs identity number "
        "{customs_id}.",
    ),
    TraderNotice.DEADLINE_APPROACHING: Template(
        "Batas waktu segera berakhir",
        "Deadline approaching",
        "Batas waktu permohonan {sid} segera berakhir.",
        "A deadline of application {sid} is approaching.",
    ),
    TraderNotice.DEADLINE_PASSED: Template(
        "Batas waktu telah lewat",
        "Deadline passed",
        "Batas waktu permohonan {sid} telah lewat.",
        "A deadline of application {sid} has passed.",
    ),
}

_DUE: Final = {
    "C3": ("dokumen pendukung harus diterima", "the supporting documents must arrive"),
    "C6": ("dokumen tambahan harus diterima", "the additional documents must arrive"),
    "C7": ("keputusan Bea Cukai diterbitkan", "customs decides"),
    "C14": ("layanan sementara (Pasal 42) berakhir", "the interim service (Art. 42) ends"),
    "C10/documents": (
        "dokumen perubahan data harus diterima",
        "the documents of the data change must arrive",
    ),
    "C10/decision": ("keputusan atas perubahan data diterbitkan", "customs decides the change"),
    "C10/reapply": ("permohonan ulang harus diajukan", "you must apply again"),
    "C15/notice": (
        "pemberitahuan perubahan data harus diajukan",
        "you must notify the change of your data",
    ),
    "C11": (
        "permohonan pembukaan blokir harus diajukan",
        "an application to lift the blocking must be made",
    ),
}


def day(on: date) -> str:
    """A date as Indonesian forms write it (DD-MM-YYYY), the same in both languages."""
    return on.strftime("%d-%m-%Y")


def trader_email(
    request: TraderNotificationRequested,
    *,
    sender: str,
    to: str,
    username: str,
    sent_at: datetime,
) -> EmailMessage:
    """The email for one customs event, addressed to the account approved for its submission."""
    template = _TEMPLATES[request.notice]
    fields = {
        "sid": request.submission_id,
        "on": day(request.on),
        "customs_id": request.customs_id or "-",
    }
    local_id, local_en = _details(request)
    paragraphs = [
        f"{template.title_id}.",
        f"Yth. pengguna {username}, " + template.lead_id.format(**fields),
        *local_id,
        f"{template.title_en}.",
        f"Dear user {username}, " + template.lead_en.format(**fields),
        *local_en,
        footer(sender),
    ]
    digest = hashlib.sha256(request.notification_id.encode()).hexdigest()[:32]
    return compose(
        subject=f"{template.title_id} / {template.title_en} ({request.submission_id})",
        sender=sender,
        to=to,
        paragraphs=paragraphs,
        sent_at=sent_at,
        stable=(f"customs.{digest}", NOTICE_HEADER, request.notification_id),
    )


def _details(request: TraderNotificationRequested) -> tuple[list[str], list[str]]:
    """Activities, reasons and the deadline, as paragraphs in each language."""
    indonesian: list[str] = []
    english: list[str] = []
    if request.activities:
        listed = ", ".join(request.activities)
        indonesian.append(f"Kegiatan: {listed}")
        english.append(f"Activities: {listed}")
    if request.reasons:
        reasons = "\n".join(
            f"{n}. {r.code}: {r.text}" + (f" ({r.legal_basis})" if r.legal_basis else "")
            for n, r in enumerate(request.reasons, start=1)
        )
        indonesian.append(f"Alasan dari Bea Cukai:\n{reasons}")
        english.append(f"Reasons given by customs:\n{reasons}")
    if request.due_on is not None and request.due_rule is not None:
        family = request.due_rule.split("/")[0]
        what_id, what_en = _DUE.get(request.due_rule) or _DUE.get(family) or ("", "")
        until = day(request.due_on)
        rule = request.due_rule
        indonesian.append(f"Batas waktu ({rule}): {what_id} paling lambat {until}.")
        english.append(f"Deadline ({rule}): {what_en} by {until} at the latest.")
    return indonesian, english
