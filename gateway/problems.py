"""RFC 9457 problem details: every refusal of the officers' HTTP API has one shape.

Why: an officer's tool (or the console) must tell "not signed in" from
"wrong role" from "bad field" without parsing prose, so each problem names
the rule it broke in ``rule`` and its HTTP status; ``detail`` names fields and
checks, never the values sent.
"""

from aiohttp import web

from runtime.errors import HubError

PROBLEM_TYPE = "https://insw.go.id/problems/"
"""Base of each problem's ``type`` URI (an identifier, not fetched)."""


class Refused(HubError):
    """A request the officers' endpoints will not carry out; becomes a problem response."""

    def __init__(self, status: int, rule: str, detail: str) -> None:
        super().__init__(f"{rule}: {detail}")
        self.status = status
        self.rule = rule
        self.detail = detail


def problem(status: int, rule: str, title: str, detail: str, **headers: str) -> web.Response:
    """A ``application/problem+json`` response naming ``rule``."""
    body = {
        "type": PROBLEM_TYPE + rule.lower().replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail,
        "rule": rule,
    }
    return web.json_response(
        body, status=status, content_type="application/problem+json", headers=headers or None
    )
