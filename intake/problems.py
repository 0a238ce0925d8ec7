"""RFC 9457 problem details: how the intake refuses a request.

Every refusal is ``application/problem+json`` with ``type``, ``title``,
``status`` and ``detail``, plus ``errors``: one entry per broken rule, naming
the multipart ``part``, the ``field`` inside it (when there is one), the
``rule`` (R1 to R19, or ``HTTP`` for the protocol's own) and a stable
``code``. Nothing in a problem, and nothing logged about one, quotes the
request: the body holds a NIK, names and an email.
"""

from dataclasses import asdict, dataclass, field

from aiohttp import web

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:insw:intake:problem:"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: where (part, field) and which (rule, code)."""

    part: str
    rule: str
    code: str
    field: str | None = None


@dataclass
class Problem(Exception):
    """A refusal: HTTP status, a problem type, a value-free detail and its violations."""

    status: int
    kind: str
    title: str
    detail: str
    errors: list[Violation] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> web.Response:
        """The ``application/problem+json`` answer."""
        body = {
            "type": TYPE_BASE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "errors": [{k: v for k, v in asdict(e).items() if v is not None} for e in self.errors],
        }
        response = web.json_response(body, status=self.status, headers=self.headers)
        response.content_type = MEDIA_TYPE
        return response


def refused(
    status: int, part: str, rule: str, code: str, detail: str, *, field: str | None = None
) -> Problem:
    """A problem with one violation; ``detail`` names the part and the rule, never a value."""
    return Problem(
        status,
        code.lower().replace("_", "-"),
        "Registration refused",
        detail,
        [Violation(part, rule, code, field)],
    )
