"""The JSON contract gate: each breaking change to a v1 model fails; additive optional ones pass."""

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, create_model

from contracts.channels import REGISTRATION_SUBMITTED
from contracts.registration import RegistrationSubmitted
from devstack import json_compat
from devstack.json_compat import Break


class Kind(StrEnum):
    A = "A"
    B = "B"


class Inner(BaseModel):
    code: str = Field(max_length=10, pattern=r"^[A-Z]+$")


FIELDS: dict[str, Any] = {
    "id": (str, ...),
    "kind": (Kind, ...),
    "count": (int, ...),
    "note": (str | None, None),
    "inner": (Inner, ...),
    "tags": (list[str], Field(default_factory=list)),
}


def _model(drop: tuple[str, ...] = (), **changed: Any) -> type[BaseModel]:
    """The v1 model with fields dropped, changed or added (a field: (type, default))."""
    fields = {k: v for k, v in FIELDS.items() if k not in drop} | changed
    model: type[BaseModel] = create_model("Message", **fields)
    return model


V1 = _model()


def _breaks(new: type[BaseModel]) -> set[tuple[str, Break]]:
    old = json_compat.schema_of(V1, "x/v1")
    return {(b.path, b.kind) for b in json_compat.compare(old, json_compat.schema_of(new, "x/v1"))}


def test_the_same_model_is_compatible_with_itself():
    assert _breaks(V1) == set()


def test_additive_optional_changes_pass():
    class Wider(StrEnum):
        A = "A"
        B = "B"
        C = "C"

    class LooserInner(BaseModel):
        code: str = Field(max_length=20, pattern=r"^[A-Z]+$")

    wider = _model(kind=(Wider, ...), inner=(LooserInner, ...), comment=(str | None, None))
    assert _breaks(wider) == set()


def test_a_removed_field_fails():
    assert _breaks(_model(drop=("count",))) == {("count", Break.REMOVED_FIELD)}


def test_a_renamed_field_fails():
    assert ("count", Break.REMOVED_FIELD) in _breaks(_model(drop=("count",), total=(int, None)))


def test_a_new_required_field_fails():
    assert _breaks(_model(region=(str, ...))) == {("region", Break.NEW_REQUIRED_FIELD)}


def test_an_optional_field_made_required_fails():
    found = _breaks(_model(note=(str, ...)))
    assert ("note", Break.NEW_REQUIRED_FIELD) in found
    assert ("note", Break.NARROWED_UNION) in found  # null is no longer accepted


def test_a_required_field_made_optional_fails():
    assert ("count", Break.NO_LONGER_REQUIRED) in _breaks(_model(count=(int | None, None)))


def test_a_narrowed_enumeration_fails():
    class Narrow(StrEnum):
        A = "A"

    assert _breaks(_model(kind=(Narrow, ...))) == {("kind", Break.NARROWED_ENUMERATION)}


def test_a_changed_type_fails_even_nested_in_a_list():
    changed = _model(count=(str, ...), tags=(list[int], Field(default_factory=list)))
    assert _breaks(changed) == {("count", Break.CHANGED_TYPE), ("tags[]", Break.CHANGED_TYPE)}


def test_a_tighter_bound_or_changed_pattern_in_a_nested_model_fails():
    class TightInner(BaseModel):
        code: str = Field(max_length=5, pattern=r"^[A-Z0-9]+$")

    assert _breaks(_model(inner=(TightInner, ...))) == {
        ("inner.code", Break.TIGHTER_BOUND),
        ("inner.code", Break.CHANGED_PATTERN),
    }


def _released_submission() -> dict[str, Any]:
    path = json_compat.released_root() / json_compat.file_name(REGISTRATION_SUBMITTED)
    released: dict[str, Any] = json.loads(path.read_text())
    return released


def test_narrowing_the_published_trader_types_of_the_real_submission_fails():
    new = json_compat.schema_of(RegistrationSubmitted, REGISTRATION_SUBMITTED.schema_id)
    trader = new["$defs"]["Organisation"]["properties"]["trader_type"]
    trader["x-insw-values"] = trader["x-insw-values"][:-1]
    del new["$defs"]["Applicant"]["properties"]["email"]
    found = {(b.path, b.kind) for b in json_compat.compare(_released_submission(), new)}
    assert found == {
        ("organisation.trader_type", Break.NARROWED_ENUMERATION),
        ("applicant.email", Break.REMOVED_FIELD),
    }


def test_every_v1_channel_is_released_and_todays_models_keep_it():
    assert len(json_compat.released_channels()) >= 10
    assert json_compat.check() == {}, "a v1 consumer would break: see the listed changes"


def test_a_channel_never_released_is_reported(tmp_path):
    problems = json_compat.check(tmp_path)
    assert REGISTRATION_SUBMITTED.schema_id in problems
    assert "not released" in problems[REGISTRATION_SUBMITTED.schema_id][0]


def test_release_never_rewrites_a_released_schema(tmp_path):
    written = json_compat.release(tmp_path)
    assert len(written) == len({json_compat.file_name(c) for c in json_compat.released_channels()})
    kept = tmp_path / json_compat.file_name(REGISTRATION_SUBMITTED)
    kept.write_text('{"frozen": true}')
    assert json_compat.release(tmp_path) == []
    assert kept.read_text() == '{"frozen": true}'
