"""OpenAPI 3.1 documents of the hub's HTTP services, generated from the models and limits in code.

``python -m devstack.openapi`` writes ``docs/openapi/<service>.json`` (``--check``
exits 1 naming each file that differs). Bodies come from :mod:`contracts.http`
and the contract models, limits from the modules that enforce them (the
intake's part sizes, R11's 1 MB, R18's password length, the officers' queue
length), and a unit test compares every documented path and method with the
routes each service's aiohttp application actually registers.

Why a tool and not ``contracts``: the limits live in the services, and the
contracts home imports none of them.
"""

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from contracts import http as bodies
from contracts.customs import CustomsApplicationStatus
from contracts.reasons import PASSWORD_MAX_LENGTH
from contracts.registration import RegistrationSubmitted
from gateway import officer_acts, officer_api
from intake import multipart, pdf
from intake.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE

DOCS = Path(__file__).resolve().parent.parent / "docs" / "openapi"
REF = "#/components/schemas/{model}"
JSON = "application/json"
HTML = "text/html"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
SMALL_BODY_BYTES = 64 * 1024
"""``client_max_size`` of the notifier's and the officers' applications (a test checks it)."""


@dataclass(frozen=True)
class Answer:
    """One status an endpoint can answer: why, in which media type, with what body and headers."""

    why: str
    body: Any = None
    media: str = JSON
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Endpoint:
    """One method on one path of a service."""

    method: str
    path: str
    summary: str
    answers: dict[int, Answer]
    body: dict[str, Any] = field(default_factory=dict)
    """Media type → schema (or model) of the request body; empty: no body."""
    headers: tuple[tuple[str, str, bool], ...] = ()
    """Request headers: name, what it carries, required."""
    query: tuple[tuple[str, str], ...] = ()
    secured: bool = False


@dataclass(frozen=True)
class Api:
    """One HTTP service: its title, what it is for, its security scheme, its endpoints."""

    name: str
    title: str
    description: str
    endpoints: tuple[Endpoint, ...]
    security: dict[str, Any] = field(default_factory=dict)
    schemas: dict[str, Any] = field(default_factory=dict)
    """Components referenced from plain schemas (the submission part's models)."""


HEALTH = Endpoint(
    "get", "/health", "The process serves HTTP", answers={200: Answer("Up.", bodies.Health)}
)
_OPS_LIMITED = Answer(
    "Rate limited per client address (runtime.ops.OPS_LIMIT), counted in the process.",
    bodies.Problem,
    "application/problem+json",
    (("Retry-After", "Seconds to wait before trying again."),),
)
OPS = (
    Endpoint(
        "get",
        "/ready",
        "Every dependency answers (Kafka, Redis); checks bounded and cached (runtime.ops)",
        answers={
            200: Answer("Ready.", bodies.Ready),
            429: _OPS_LIMITED,
            503: Answer(
                "Not ready: a problem naming each dependency that does not answer.",
                bodies.Problem,
                "application/problem+json",
                (("Retry-After", "Seconds to wait before asking again."),),
            ),
        },
    ),
    Endpoint(
        "get",
        "/metrics",
        "The process's metrics in the Prometheus text format",
        answers={
            200: Answer("Prometheus text exposition.", {"type": "string"}, "text/plain"),
            429: _OPS_LIMITED,
        },
    ),
)
"""``/ready`` and ``/metrics``, which ``runtime.ops.add_routes`` adds beside ``/health``."""


def _problem(why: str, *headers: tuple[str, str]) -> Answer:
    return Answer(why, bodies.Problem, PROBLEM_MEDIA_TYPE, headers)


_RETRY_AFTER = ("Retry-After", "Seconds to wait before trying again.")
_LIMITED = _problem("Rate limited (per client address, then per caller).", _RETRY_AFTER)
_UNAVAILABLE = "Kafka or Redis cannot take the request now; nothing was kept."

_FORM_FIELDS_SET_BY_HUB = ("submission_id", "submitted_at", "attachments")


def form_schema(
    model: type[BaseModel], set_by_hub: Iterable[str], title: str, description: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``model``'s JSON schema without the fields the hub sets, and its $defs."""
    hub = set(set_by_hub)
    schema = TypeAdapter(model).json_schema(ref_template=REF)
    defs = schema.pop("$defs", {})
    for name in hub:
        schema["properties"].pop(name, None)
    schema["required"] = [r for r in schema.get("required", []) if r not in hub]
    schema["title"] = title
    schema["description"] = description
    return schema, defs


def submission_part_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``submission`` part (the contract's model without the fields the hub sets), its $defs."""
    return form_schema(
        RegistrationSubmitted,
        _FORM_FIELDS_SET_BY_HUB,
        "SubmissionForm",
        "The four steps of the form as JSON (RegistrationSubmitted without "
        + ", ".join(_FORM_FIELDS_SET_BY_HUB)
        + ", which the hub sets). At most "
        f"{multipart.MAX_SUBMISSION_BYTES} bytes.",
    )


def _act_form(rule: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The body of a customs officer's act: the contract model without what the server sets."""
    model = officer_acts.ACTS[rule][0]
    hub = sorted(officer_acts.SERVER_SET)
    return form_schema(
        model,
        hub,
        f"{model.__name__}Form",
        f"{model.__name__} ({rule}) without {', '.join(hub)}: the officer is the token's "
        "subject, the kind is the route's, and the command id is derived from the officer "
        "and the act, so the same POST again records nothing new.",
    )


def intake() -> Api:
    """The portals' registration endpoint (``intake.http``)."""
    submission, defs = submission_part_schema()
    multipart_body = {
        "type": "object",
        "required": [multipart.SUBMISSION, multipart.POWER_OF_ATTORNEY],
        "properties": {
            multipart.SUBMISSION: submission,
            multipart.POWER_OF_ATTORNEY: {
                "type": "string",
                "contentMediaType": "application/pdf",
                "description": f"The Surat Kuasa: a PDF (%PDF- header, %%EOF trailer) of at "
                f"most {pdf.MAX_BYTES} bytes (R11).",
                "maxLength": pdf.MAX_BYTES,
            },
        },
        "x-insw-max-body-bytes": multipart.MAX_BODY_BYTES,
    }
    register = Endpoint(
        "post",
        "/registrations",
        "Submit one registration and its Surat Kuasa",
        body={MULTIPART: multipart_body},
        headers=(
            ("Idempotency-Key", "8 to 128 printable ASCII characters; one per registration.", True),
        ),
        secured=True,
        answers={
            200: Answer(
                "This Idempotency-Key was answered before: the kept answer.",
                bodies.RegistrationAccepted,
            ),
            201: Answer(
                "Accepted: published on insw.registration.submitted.v1.",
                bodies.RegistrationAccepted,
            ),
            400: _problem("Idempotency-Key missing or malformed, or malformed multipart."),
            401: _problem(
                "No or unknown portal API key.",
                ("WWW-Authenticate", 'Bearer realm="insw-intake"'),
            ),
            409: _problem("A request with this Idempotency-Key is in progress."),
            413: _problem(f"Body larger than {multipart.MAX_BODY_BYTES} bytes (R11)."),
            415: _problem("The body is not multipart/form-data."),
            422: _problem(
                "A part is missing, repeated, unexpected or too large, the Surat Kuasa is "
                "not a PDF of at most 1 MB (R11), or the form breaks a rule (errors name "
                "part, field, rule and code)."
            ),
            429: _LIMITED,
            503: _problem(_UNAVAILABLE, _RETRY_AFTER),
        },
    )
    return Api(
        "intake",
        "INSW registration intake",
        "Partner portals submit registrations over HTTP; the intake publishes them on "
        "insw.registration.submitted.v1. Every refusal is an RFC 9457 problem.",
        (register, HEALTH, *OPS),
        {"portalKey": {"type": "http", "scheme": "bearer", "description": "Portal API key"}},
        defs,
    )


_TOO_LARGE = f"Body larger than {SMALL_BODY_BYTES} bytes."
_BROKER_DOWN = (
    "Kafka cannot take the record now; it may not be published: send the same POST again "
    "(the same act gets the same command id and is recorded once)."
)
_ACCOUNT_ERRORS = "Refused: errors name code, rule and field with Indonesian and English texts."


def _errors(why: str, *headers: tuple[str, str]) -> Answer:
    return Answer(f"{why} {_ACCOUNT_ERRORS}", bodies.AccountErrors, JSON, headers)


def notifier() -> Api:
    """Applicants' account endpoints, operators' email change (``notifier.endpoints``)."""
    resend_answers = {
        202: Answer("Accepted; the same answer whatever the username (R19).", bodies.ResendAnswer),
        400: _errors("Body not a JSON object, username missing or not six hex characters."),
        413: _errors(_TOO_LARGE),
        429: _errors("Rate limited per username and per client.", _RETRY_AFTER),
        503: _errors(_UNAVAILABLE, _RETRY_AFTER),
    }
    username = ("username", "The account's username: six uppercase hexadecimal characters (R16).")
    endpoints = (
        HEALTH,
        Endpoint(
            "get",
            "/accounts/password",
            "The page the activation email links to (R18, R19)",
            query=(("token", "The activation token from the email."),),
            answers={
                200: Answer(
                    "A set-password form, or Token Expired with the resend form (R19).",
                    {"type": "string"},
                    HTML,
                ),
                503: _errors(_UNAVAILABLE, _RETRY_AFTER),
            },
        ),
        Endpoint(
            "post",
            "/accounts/password",
            "Set the password with the emailed token; the token is used up (R18)",
            body={JSON: bodies.SetPassword, FORM: bodies.SetPassword},
            answers={
                200: Answer("The account is active.", bodies.PasswordSet),
                400: _errors(
                    "Body not an object, a field missing, an unknown token, or the password "
                    f"breaks R18 ({bodies.PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} "
                    "characters, a symbol, a digit, a capital letter)."
                ),
                410: _errors("The token expired, was used, or a newer link replaced it."),
                413: _errors(_TOO_LARGE),
                503: _errors(_UNAVAILABLE, _RETRY_AFTER),
            },
        ),
        Endpoint(
            "post",
            "/accounts/activation-link",
            "A new activation link to the email on file (the expired page's form, R19)",
            body={JSON: bodies.ResendRequest, FORM: bodies.ResendRequest},
            answers={
                **resend_answers,
                202: Answer(
                    "Accepted (JSON for a JSON post, a page for a form post); the same "
                    "answer whatever the username.",
                    bodies.ResendAnswer,
                ),
            },
        ),
        Endpoint(
            "post",
            "/accounts/{username}/activation-link",
            "A new activation link to the email on file (R19)",
            query=(username,),
            answers=resend_answers,
        ),
        Endpoint(
            "post",
            "/operator/accounts/{username}/email",
            "Operators only: change the email on file, audited first (present when "
            "NOTIFIER_OPERATOR_TOKEN is set)",
            query=(username,),
            body={JSON: bodies.EmailChange},
            secured=True,
            answers={
                200: Answer("Changed.", bodies.EmailChanged),
                400: _errors("A field missing or the email invalid (R10)."),
                401: _errors("Not the operators' token."),
                404: _errors("Unknown username."),
                413: _errors(_TOO_LARGE),
                415: _errors("JSON only."),
                503: _errors(_UNAVAILABLE, _RETRY_AFTER),
            },
        ),
    )
    served: tuple[Endpoint, ...] = (*endpoints, *OPS)
    return Api(
        "notifier",
        "INSW account endpoints",
        "Applicants set their password from the activation email and ask for a new link; "
        "operators change an email on file. Served by the notifier.",
        served,
        {"operatorToken": {"type": "http", "scheme": "bearer", "description": "Operators' token"}},
    )


def officers() -> Api:
    """The officers' API (``gateway.officer_api``)."""
    authenticated = {
        401: _problem(
            "No, expired or invalid officer token.",
            ("WWW-Authenticate", 'Bearer realm="insw-officers"'),
        ),
        403: _problem("The token lacks the officer role."),
        429: _LIMITED,
    }
    manual, manual_defs = _act_form("C13")
    interim, interim_defs = _act_form("C14")
    acts = tuple(
        Endpoint(
            "post",
            path,
            summary,
            body={JSON: form},
            secured=True,
            answers={
                202: Answer(
                    "Published, signed, on customs.officer-command.v1 with an audit entry; "
                    "the customs service records it (or dead-letters it with code and rule).",
                    bodies.ActAccepted,
                ),
                **authenticated,
                **(
                    {
                        404: _problem("C14: INSW has no final decision for this application."),
                        409: _problem("C14: the application was not APPROVED."),
                    }
                    if rule in officer_acts.FOR_APPROVED
                    else {}
                ),
                413: _problem(_TOO_LARGE),
                415: _problem("JSON only (a form post is refused)."),
                422: _problem(
                    "Not JSON, not an object, a field the server sets (officer_id, kind, "
                    "command_id), an invalid value, or a date after today in Jakarta: the "
                    "problem names the field and the rule."
                ),
                503: _problem(_BROKER_DOWN, _RETRY_AFTER),
            },
        )
        for path, rule, summary, form in (
            (
                "/customs/manual-registrations",
                "C13",
                "Record an exporter's manual registration at the customs office (C13, PER-21 "
                "Art. 11-12): the customs service sends the Attachment V receipt to CEISA",
                manual,
            ),
            (
                "/customs/interim-imports",
                "C14",
                "Record the head of office's approval of one import notification without a "
                "customs id (C14, PER-21 Art. 40)",
                interim,
            ),
        )
    )
    endpoints = (
        Endpoint(
            "get",
            "/referrals",
            f"The referral queue, soonest deadline first (at most {officer_api.QUEUE_LIMIT})",
            secured=True,
            answers={
                200: Answer("The queue.", bodies.ReferralQueue),
                **authenticated,
                503: _problem(_UNAVAILABLE, _RETRY_AFTER),
            },
        ),
        Endpoint(
            "post",
            "/referrals/{submission_id}/decision",
            "Decide a referred application (R13); the officer is the token's subject",
            query=(("submission_id", "The referred application."),),
            body={JSON: bodies.OfficerDecision},
            secured=True,
            answers={
                202: Answer(
                    "Published on insw.registration.manual-decision.v1.", bodies.DecisionAccepted
                ),
                **authenticated,
                404: _problem("No application with this submission id."),
                409: _problem("Already decided, or not referred."),
                413: _problem(_TOO_LARGE),
                415: _problem("JSON only (a form post is refused)."),
                422: _problem("Not a JSON object, a field not allowed, or an invalid value."),
                503: _problem(_UNAVAILABLE, _RETRY_AFTER),
            },
        ),
        *acts,
    )
    served: tuple[Endpoint, ...] = (*endpoints, HEALTH, *OPS)
    return Api(
        "officers",
        "INSW officers' API",
        "Officers list referred applications and decide them, and record customs officers' "
        "acts (C13 manual registration, C14 Art. 40 approval). Every request carries the "
        "identity provider's RS256 JWT with role officer; refusals are RFC 9457 problems. "
        "The same port serves the officers' console (HTML, under /console).",
        served,
        {"officerJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        {**manual_defs, **interim_defs},
    )


def customs() -> Api:
    """The customs lifecycle's read side (``customs.http``)."""
    sid = ("submission_id", "The application.")
    refused = {
        401: _problem("No or invalid token of the identity provider."),
        403: _problem("The token grants neither the officer nor the integrator role."),
        422: _problem("submission_id: 1 to 64 of A-Z a-z 0-9 . _ : -"),
        429: _LIMITED,
        503: _problem("The identity provider or the store is unavailable, or none is set."),
    }
    endpoints = (
        HEALTH,
        *OPS,
        Endpoint(
            "get",
            "/applications/{submission_id}",
            "Public: the status view of one registration (decision, customs steps, due "
            "dates, open deadlines, next action), for officers and integrators (a "
            "trader reads it through its portal)",
            query=(sid,),
            secured=True,
            answers={
                200: Answer("The status.", CustomsApplicationStatus),
                404: _problem("Customs sent nothing about this application."),
                **refused,
            },
        ),
        Endpoint(
            "get",
            "/customs/applications/{submission_id}",
            "The same status view under its first path, held to the same rules "
            "(rate limited, officer or integrator token)",
            query=(sid,),
            secured=True,
            answers={
                200: Answer("The status.", CustomsApplicationStatus),
                404: _problem("Customs sent nothing about this application."),
                **refused,
            },
        ),
    )
    return Api(
        "customs",
        "INSW customs lifecycle",
        "The customs status of an application for integrators and officers who cannot read "
        "the compacted status topic.",
        endpoints,
        {"officerJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
    )


def apis() -> list[Api]:
    """Every HTTP service the hub publishes, in a stable order."""
    return [intake(), notifier(), officers(), customs()]


def _schema(body: Any, found: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema for ``body`` (a model or a plain schema), collecting its definitions."""
    if isinstance(body, dict):
        return body
    schema = TypeAdapter(body).json_schema(ref_template=REF)
    found.update(schema.pop("$defs", {}))
    if isinstance(body, type) and issubclass(body, BaseModel):
        found[body.__name__] = schema
        return {"$ref": REF.format(model=body.__name__)}
    return schema


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    params = []
    for name, text in endpoint.query:
        where = "path" if "{" + name + "}" in endpoint.path else "query"
        params.append(
            {
                "name": name,
                "in": where,
                "required": where == "path",
                "description": text,
                "schema": {"type": "string"},
            }
        )
    for name, text, required in endpoint.headers:
        params.append(
            {
                "name": name,
                "in": "header",
                "required": required,
                "description": text,
                "schema": {"type": "string", "minLength": 8, "maxLength": 128},
            }
        )
    return params


def _operation(api: Api, endpoint: Endpoint, found: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "operationId": f"{endpoint.method}{endpoint.path}",
        "responses": {},
    }
    params = _parameters(endpoint)
    if params:
        operation["parameters"] = params
    if endpoint.body:
        operation["requestBody"] = {
            "required": True,
            "content": {media: {"schema": _schema(b, found)} for media, b in endpoint.body.items()},
        }
    if endpoint.secured:
        operation["security"] = [{name: []} for name in api.security]
    for status, answer in sorted(endpoint.answers.items()):
        response: dict[str, Any] = {"description": answer.why}
        if answer.body is not None:
            response["content"] = {answer.media: {"schema": _schema(answer.body, found)}}
        if answer.headers:
            response["headers"] = {
                name: {"description": text, "schema": {"type": "string"}}
                for name, text in answer.headers
            }
        operation["responses"][str(status)] = response
    return operation


def document(api: Api) -> dict[str, Any]:
    """The OpenAPI 3.1.0 document of ``api`` as a JSON-ready dict."""
    found: dict[str, Any] = dict(api.schemas)
    paths: dict[str, Any] = {}
    for endpoint in api.endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method] = _operation(api, endpoint, found)
    components: dict[str, Any] = {"schemas": dict(sorted(found.items()))}
    if api.security:
        components["securitySchemes"] = api.security
    return {
        "openapi": "3.1.0",
        "info": {"title": api.title, "version": "1.0.0", "description": api.description},
        "paths": dict(sorted(paths.items())),
        "components": components,
    }


def render(api: Api) -> str:
    """The document as stable, indented JSON text."""
    return json.dumps(document(api), indent=2, ensure_ascii=False) + "\n"


def stale(root: Path = DOCS, chosen: Iterable[Api] | None = None) -> list[Path]:
    """The committed documents that differ from the generated ones."""
    return [
        root / f"{api.name}.json"
        for api in (chosen if chosen is not None else apis())
        if not (root / f"{api.name}.json").is_file()
        or (root / f"{api.name}.json").read_text() != render(api)
    ]


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) every document under ``docs/openapi``."""
    parser = argparse.ArgumentParser(prog="python -m devstack.openapi", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file differs")
    args = parser.parse_args(argv)
    if args.check:
        for path in stale():
            print(f"{path} differs: run python -m devstack.openapi", file=sys.stderr)
        return 1 if stale() else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for api in apis():
        (DOCS / f"{api.name}.json").write_text(render(api))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
