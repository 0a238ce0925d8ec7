"""``POST /registrations``: a registration and its Surat Kuasa, as multipart/form-data.

Parts: ``submission`` (JSON: the four steps of the form, without
``submission_id``, ``submitted_at`` or ``attachments``, which the hub sets) and
``power_of_attorney`` (the PDF). Header ``Idempotency-Key`` is required.

Answers ``201`` with the submission id and a proof of receipt; the same key
again answers ``200`` with the same body and publishes nothing new. Bad input
answers ``400``/``422`` naming each field and the rule it broke, without
echoing the input. Format rules (R1 to R12) are the gateway's: a submission
that is well-formed but breaks them is accepted here and rejected by the one
decision, like any other.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web
from pydantic import ValidationError

from contracts import topics
from contracts.registration import RegistrationSubmitted
from intake.pdf import MAX_BYTES, pdf_problem
from intake.receipts import ReceiptBook, submission_id_for
from runtime.codec import describe, encode
from runtime.documents import DocumentStore
from runtime.outbox import Outbox
from runtime.records import Outbound, caused_by

SCHEMA = "insw.registration.submitted/v1"
PDF = "application/pdf"


@dataclass(frozen=True)
class IntakeDeps:
    """What the endpoint needs; built at the composition root."""

    outbox: Outbox
    documents: DocumentStore
    receipts: ReceiptBook


DEPS: web.AppKey[IntakeDeps] = web.AppKey("deps")


class Refused(Exception):
    """A request the intake will not accept: status and a field-naming explanation."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def register(request: web.Request) -> web.Response:
    """Accept one registration (see the module docstring)."""
    deps = request.app[DEPS]
    key = request.headers.get("Idempotency-Key", "").strip()
    try:
        if not 8 <= len(key) <= 128:
            raise Refused(400, "Idempotency-Key header: required, 8 to 128 characters")
        kept = await deps.receipts.find(key)
        if kept is not None:
            return web.json_response(kept, status=200)
        form, document = await _read_parts(request)
        answer = await _accept(deps, key, form, document)
    except Refused as refusal:
        return web.json_response(
            {"error": "registration refused", "detail": refusal.detail}, status=refusal.status
        )
    return web.json_response(answer, status=201)


async def _read_parts(request: web.Request) -> tuple[dict[str, Any], bytes]:
    if not request.content_type.startswith("multipart/"):
        raise Refused(
            415, "body: must be multipart/form-data with submission and power_of_attorney"
        )
    reader = await request.multipart()
    form: dict[str, Any] | None = None
    document: bytes | None = None
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "submission":
            try:
                parsed = await part.json()
            except ValueError:
                raise Refused(422, "submission: must be a JSON object") from None
            if not isinstance(parsed, dict):
                raise Refused(422, "submission: must be a JSON object")
            form = parsed
        elif part.name == "power_of_attorney":
            document = await _read_limited(part)
    if form is None:
        raise Refused(422, "submission: part is required")
    if document is None:
        raise Refused(422, "power_of_attorney: part is required (R11)")
    return form, document


async def _read_limited(part: BodyPartReader) -> bytes:
    chunks, size = [], 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise Refused(422, "power_of_attorney: larger than 1 MB (R11)")
        chunks.append(chunk)
    return b"".join(chunks)


async def _accept(
    deps: IntakeDeps, key: str, form: dict[str, Any], document: bytes
) -> dict[str, Any]:
    problem = pdf_problem(document)
    if problem is not None:
        raise Refused(422, f"power_of_attorney: {problem} (R11)")
    sid = submission_id_for(key)
    received_at = datetime.now(UTC)
    stored = await deps.documents.put(f"DOC-{sid}", document, PDF)
    payload = {
        **form,
        "submission_id": sid,
        "submitted_at": received_at.isoformat(),
        "attachments": {
            "power_of_attorney": {
                "document_id": stored.document_id,
                "sha256": stored.sha256,
                "size_bytes": stored.size,
                "media_type": PDF,
            }
        },
    }
    try:
        submission = RegistrationSubmitted.model_validate(payload)
    except ValidationError as error:
        raise Refused(422, describe(error)) from None
    headers = caused_by(None, correlation_id=sid, schema=SCHEMA)
    await deps.outbox.publish(
        [Outbound(topics.REGISTRATION_SUBMITTED, sid.encode(), encode(submission), headers)]
    )
    answer = {
        "submission_id": sid,
        "receipt": {
            "receipt_id": uuid.uuid4().hex,
            "received_at": received_at.isoformat(),
            "document_id": stored.document_id,
            "document_sha256": stored.sha256,
            "document_size": stored.size,
        },
    }
    return await deps.receipts.keep_first(key, answer)


def make_app(deps: IntakeDeps) -> web.Application:
    """The intake's HTTP application."""
    app = web.Application(client_max_size=2 * MAX_BYTES)
    app[DEPS] = deps
    app.router.add_post("/registrations", register)
    return app
