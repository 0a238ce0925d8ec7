"""The OpenAPI documents: committed = generated, every route documented, limits and statuses."""

import json
from typing import Any, cast

import pytest
from aiohttp import web

from contracts import http as bodies
from contracts.reasons import PASSWORD_MAX_LENGTH
from customs import http as customs_http
from devstack import openapi
from gateway import officer_acts, officer_api
from gateway.officer_api import Referral
from intake import http as intake_http
from intake import multipart, pdf
from notifier import endpoints
from notifier.endpoints import OperatorDesk
from notifier.resend import ANSWER
from runtime import ops

NOBODY = cast(Any, None)


def _apps() -> dict[str, web.Application]:
    operators = OperatorDesk("t", NOBODY, NOBODY)
    apps = {
        "intake": intake_http.make_app(NOBODY),
        "notifier": endpoints.make_app(NOBODY, NOBODY, operators),
        "officers": officer_api.make_app(NOBODY),
        "customs": customs_http.make_app(NOBODY),
    }
    for name in ("intake", "notifier", "officers", "customs"):  # as their app.build does
        ops.add_routes(apps[name], NOBODY)
    return apps


def _routes(app: web.Application) -> set[tuple[str, str]]:
    found = set()
    for route in app.router.routes():
        if route.method == "HEAD":  # aiohttp adds HEAD beside every GET
            continue
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        found.add((route.method.lower(), str(path)))
    return found


def _documented(name: str) -> set[tuple[str, str]]:
    [api] = [a for a in openapi.apis() if a.name == name]
    return {(e.method, e.path) for e in api.endpoints}


def _doc(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((openapi.DOCS / f"{name}.json").read_text())
    return doc


def test_committed_documents_are_the_generated_ones():
    assert openapi.stale() == [], "run: python -m devstack.openapi"


def test_a_changed_document_is_seen_as_stale(tmp_path):
    for api in openapi.apis():
        (tmp_path / f"{api.name}.json").write_text(openapi.render(api))
    assert openapi.stale(tmp_path) == []
    text = (tmp_path / "intake.json").read_text().replace('"429"', '"430"')
    (tmp_path / "intake.json").write_text(text)
    assert openapi.stale(tmp_path) == [tmp_path / "intake.json"]


@pytest.mark.parametrize("name", ["intake", "notifier", "officers", "customs"])
def test_every_route_the_service_serves_is_documented_and_nothing_else(name):
    assert _routes(_apps()[name]) == _documented(name)
    paths = _doc(name)["paths"]
    assert {(m, p) for p, ops in paths.items() for m in ops} == _documented(name)


def test_small_bodies_limit_is_the_applications_own():
    apps = _apps()
    for name in ("notifier", "officers"):
        assert apps[name]._client_max_size == openapi.SMALL_BODY_BYTES
    assert apps["intake"]._client_max_size == multipart.MAX_BODY_BYTES


def test_intake_documents_limits_headers_and_every_refusal_as_a_problem():
    op = _doc("intake")["paths"]["/registrations"]["post"]
    assert set(op["responses"]) == {
        "200",
        "201",
        "400",
        "401",
        "409",
        "413",
        "415",
        "422",
        "429",
        "503",
    }
    for status, response in op["responses"].items():
        if status.startswith(("4", "5")):
            assert list(response["content"]) == ["application/problem+json"], status
    assert "Retry-After" in op["responses"]["429"]["headers"]
    assert "WWW-Authenticate" in op["responses"]["401"]["headers"]
    [key] = [p for p in op["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["required"] and key["in"] == "header"
    assert key["schema"]["minLength"] == 8 and key["schema"]["maxLength"] == 128
    assert op["security"] == [{"portalKey": []}]
    body = op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["power_of_attorney"]["maxLength"] == pdf.MAX_BYTES
    assert body["x-insw-max-body-bytes"] == multipart.MAX_BODY_BYTES
    form = body["properties"]["submission"]
    assert "submission_id" not in form["properties"] and "applicant" in form["properties"]
    assert str(multipart.MAX_SUBMISSION_BYTES) in form["description"]


def test_password_limits_and_token_statuses_are_documented():
    doc = _doc("notifier")
    schema = doc["components"]["schemas"]["SetPassword"]["properties"]["password"]
    assert schema["minLength"] == 6 and schema["maxLength"] == PASSWORD_MAX_LENGTH
    answers = doc["paths"]["/accounts/password"]["post"]["responses"]
    assert {"200", "400", "410", "413", "503"} <= set(answers)
    resend = doc["paths"]["/accounts/{username}/activation-link"]["post"]["responses"]
    assert "Retry-After" in resend["429"]["headers"]


def test_officers_document_authentication_and_state_conflicts():
    doc = _doc("officers")
    decide = doc["paths"]["/referrals/{submission_id}/decision"]["post"]
    assert {"202", "401", "403", "404", "409", "413", "415", "422", "429", "503"} == set(
        decide["responses"]
    )
    assert doc["components"]["securitySchemes"]["officerJwt"]["bearerFormat"] == "JWT"
    outcome = doc["components"]["schemas"]["OfficerDecision"]["properties"]["outcome"]
    assert outcome["enum"] == ["APPROVED", "REJECTED"]


@pytest.mark.parametrize(
    ("path", "rule"),
    [("/customs/manual-registrations", "C13"), ("/customs/interim-imports", "C14")],
)
def test_customs_officer_acts_document_every_status_and_the_body_sans_server_fields(path, rule):
    doc = _doc("officers")
    act = doc["paths"][path]["post"]
    served = {"202", "401", "403", "413", "415", "422", "429", "503"}
    if rule == "C14":  # an Art. 40 approval names an application INSW approved
        served |= {"404", "409"}
    assert served == set(act["responses"])
    assert act["security"] == [{"officerJwt": []}]
    form = act["requestBody"]["content"]["application/json"]["schema"]
    model = officer_acts.ACTS[rule][0]
    assert set(form["properties"]) == officer_acts.body_fields(model)
    assert not {"officer_id", "command_id", "kind"} & set(form["properties"])
    assert set(form["required"]) <= set(form["properties"])
    if rule == "C13":  # the documents' model is a shared component
        assert "SupportingDocument" in doc["components"]["schemas"]


def test_documented_bodies_are_what_the_services_send():
    bodies.ResendAnswer.model_validate(ANSWER)
    line = Referral("SUB-1", 1_800_000_000.0, -5.0).as_json()
    assert bodies.ReferralLine.model_validate(line).overdue is True
    assert set(bodies.OfficerDecision.model_fields) == officer_api.BODY_FIELDS
