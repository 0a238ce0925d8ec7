"""Reading the two parts of a registration from untrusted multipart bytes, within limits.

Every way the bytes can be wrong (no boundary, a broken boundary, bad part
headers, an unexpected, repeated or oversized part) becomes a
:class:`~intake.problems.Problem` naming the part, never an exception that
reaches aiohttp's error log: aiohttp's own messages quote the body.
"""

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from intake.pdf import MAX_BYTES
from intake.problems import Problem, Violation, refused

SUBMISSION = "submission"
POWER_OF_ATTORNEY = "power_of_attorney"
MAX_SUBMISSION_BYTES = 64 * 1024
"""The form as JSON is a few kilobytes; more is not a registration."""
MAX_BODY_BYTES = MAX_BYTES + MAX_SUBMISSION_BYTES + 16 * 1024
"""Both parts at their limits plus multipart framing."""
_LIMITS = {SUBMISSION: MAX_SUBMISSION_BYTES, POWER_OF_ATTORNEY: MAX_BYTES}
# Any of these from aiohttp's multipart parser means the framing is broken.
_MALFORMED = (
    HttpProcessingError,
    ValueError,
    LookupError,
    TypeError,
    AssertionError,
    AttributeError,
    RuntimeError,
)


def malformed() -> Problem:
    """The body is not well-formed multipart/form-data."""
    return Problem(
        400,
        "multipart-malformed",
        "Malformed request",
        "body: not well-formed multipart/form-data (RFC 7578)",
        [Violation("<body>", "HTTP", "MULTIPART_MALFORMED")],
    )


async def read_parts(request: web.Request) -> dict[str, bytes]:
    """The raw bytes of ``submission`` and ``power_of_attorney``, each within its limit."""
    if request.content_type != "multipart/form-data":
        raise Problem(
            415,
            "media-type",
            "Unsupported media type",
            "body: must be multipart/form-data with submission and power_of_attorney",
            [Violation("<body>", "HTTP", "BODY_NOT_MULTIPART")],
        )
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise Problem(
            413,
            "body-too-large",
            "Request too large",
            "body: larger than a registration with a 1 MB Surat Kuasa (R11)",
            [Violation("<body>", "R11", "BODY_TOO_LARGE")],
        )
    try:
        return await _read(request)
    except Problem:
        raise
    except _MALFORMED:
        raise malformed() from None


async def _read(request: web.Request) -> dict[str, bytes]:
    reader = await request.multipart()
    parts: dict[str, bytes] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise malformed()
        name = part.name or ""
        if name not in _LIMITS:
            raise refused(422, "<body>", "HTTP", "PART_UNEXPECTED", "body: unexpected part")
        if name in parts:
            raise refused(422, name, "HTTP", "PART_REPEATED", f"{name}: given more than once")
        parts[name] = await _read_limited(part, name)
    return parts


async def _read_limited(part: BodyPartReader, name: str) -> bytes:
    chunks, size = [], 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > _LIMITS[name]:
            if name == POWER_OF_ATTORNEY:
                raise refused(
                    422,
                    name,
                    "R11",
                    "POWER_OF_ATTORNEY_TOO_LARGE",
                    f"{name}: larger than 1 MB (R11)",
                )
            raise refused(422, name, "HTTP", "PART_TOO_LARGE", f"{name}: larger than 64 KB")
        chunks.append(chunk)
    return b"".join(chunks)
