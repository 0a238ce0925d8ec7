"""Would a change to a JSON message model break a v1 producer or consumer? The JSON twin of
:mod:`devstack.xml_compat`.

The JSON schemas of every ``/v1`` channel, as released, are kept under
``schemas/json/v1/released/`` (``python -m devstack.json_compat --release``
writes the ones not released yet and never rewrites one). The check compares
each released schema with the schema the models give today and reports
anything a v1 reader or writer could trip on:

- a field removed or renamed (a rename is a removal to a v1 reader);
- a new required field, or an optional one made required (v1 writers omit it);
- a required field made optional (v1 readers rely on it being there);
- an enumeration (or ``Literal``) narrowed, or a union losing a member;
- a type or format changed, a pattern changed, a length or range tightened.

Adding an optional field, widening an enumeration or a union, and loosening a
bound are compatible. A new major version is a new channel, not a change.
"""

import argparse
import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from contracts.channels import Channel, channels

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_TIGHTER_IF_UP = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_TIGHTER_IF_DOWN = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")


class Break(StrEnum):
    """The kinds of incompatible change."""

    REMOVED_FIELD = "REMOVED_FIELD"
    NEW_REQUIRED_FIELD = "NEW_REQUIRED_FIELD"
    NO_LONGER_REQUIRED = "NO_LONGER_REQUIRED"
    NARROWED_ENUMERATION = "NARROWED_ENUMERATION"
    NARROWED_UNION = "NARROWED_UNION"
    CHANGED_TYPE = "CHANGED_TYPE"
    CHANGED_PATTERN = "CHANGED_PATTERN"
    TIGHTER_BOUND = "TIGHTER_BOUND"


@dataclass(frozen=True, order=True)
class Incompatibility:
    """One breaking difference, at a dotted path of the message."""

    path: str
    kind: Break
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.kind} ({self.detail})"


def released_root() -> Path:
    """``schemas/json/v1/released`` as installed (package data of ``schemas``)."""
    return Path(str(files("schemas").joinpath("json", "v1", "released")))


def schema_of(model: Any, schema_id: str) -> dict[str, Any]:
    """The standalone JSON Schema (2020-12) of ``model``, as released under ``schema_id``."""
    schema = TypeAdapter(model).json_schema()
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": schema_id, **schema}


def released_channels() -> list[Channel]:
    """The JSON channels whose schema is a ``v1``: each has a released schema."""
    return [c for c in channels() if c.model is not None and c.schema_id.endswith("/v1")]


def file_name(channel: Channel) -> str:
    """``insw.registration.submitted.json`` for ``insw.registration.submitted/v1``."""
    return channel.schema_id.rsplit("/", 1)[0] + ".json"


class _Walk:
    """Compares two schemas node by node, resolving each side's ``$ref`` in its own ``$defs``."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._defs = (old.get("$defs", {}), new.get("$defs", {}))
        self._seen: set[tuple[str, str, str]] = set()
        self.found: list[Incompatibility] = []

    def _resolve(self, node: dict[str, Any], side: int) -> dict[str, Any]:
        while "$ref" in node:
            node = self._defs[side][node["$ref"].rsplit("/", 1)[-1]]
        return node

    def _add(self, path: str, kind: Break, detail: str) -> None:
        self.found.append(Incompatibility(path or "<message>", kind, detail))

    def compare(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        refs = (old.get("$ref", ""), new.get("$ref", ""), path)
        if refs[0] and refs in self._seen:
            return
        self._seen.add(refs)
        old, new = self._resolve(old, 0), self._resolve(new, 1)
        gone = _values(old) - _values(new) if _values(new) else set()
        if gone:
            self._add(path, Break.NARROWED_ENUMERATION, f"{sorted(gone)} removed")
        if "anyOf" in old or "oneOf" in old or "anyOf" in new or "oneOf" in new:
            self._union(old, new, path)
            return
        self._scalar(old, new, path)
        if "properties" in old:
            self._object(old, new, path)
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            self.compare(old["items"], new["items"], path + "[]")

    def _members(self, node: dict[str, Any], side: int) -> list[dict[str, Any]]:
        return [
            self._resolve(m, side) | ({"$ref": m["$ref"]} if "$ref" in m else {})
            for m in node.get("anyOf", node.get("oneOf", [node]))
        ]

    def _union(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        olds, news = self._members(old, 0), self._members(new, 1)
        for member in olds:
            match = next((n for n in news if _signature(n) == _signature(member)), None)
            if match is None:
                self._add(path, Break.NARROWED_UNION, f"{_signature(member)} no longer accepted")
            else:
                self.compare(member, match, path)

    def _scalar(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        if _types(old) != _types(new) or old.get("format") != new.get("format"):
            detail = f"{_signature(old)} became {_signature(new)}"
            self._add(path, Break.CHANGED_TYPE, detail)
            return
        if new.get("pattern") is not None and old.get("pattern") != new.get("pattern"):
            self._add(path, Break.CHANGED_PATTERN, f"{old.get('pattern')} -> {new['pattern']}")
        for bound in (*_TIGHTER_IF_UP, *_TIGHTER_IF_DOWN):
            before, after = old.get(bound), new.get(bound)
            if after is None or before == after:
                continue
            tighter = before is None or (
                after > before if bound in _TIGHTER_IF_UP else after < before
            )
            if tighter:
                self._add(path, Break.TIGHTER_BOUND, f"{bound} {before} -> {after}")

    def _object(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        old_props, new_props = old["properties"], new.get("properties", {})
        old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
        for name, schema in old_props.items():
            where = f"{path}.{name}" if path else name
            if name not in new_props:
                self._add(where, Break.REMOVED_FIELD, "removed or renamed")
                continue
            if name in old_req and name not in new_req:
                self._add(where, Break.NO_LONGER_REQUIRED, "v1 readers rely on it")
            self.compare(schema, new_props[name], where)
        for name in sorted(new_req - old_req):
            where = f"{path}.{name}" if path else name
            self._add(where, Break.NEW_REQUIRED_FIELD, "v1 writers do not send it")


def _types(node: dict[str, Any]) -> frozenset[str]:
    kind = node.get("type")
    if kind is None and "const" in node:
        kind = type(node["const"]).__name__.replace("str", "string")
    if kind is None and "enum" in node:
        kind = sorted({type(v).__name__.replace("str", "string") for v in node["enum"]})
    return frozenset([kind] if isinstance(kind, str) else (kind or []))


def _values(node: dict[str, Any]) -> set[Any]:
    if "const" in node:
        return {node["const"]}
    # x-insw-values: the accepted values of a lenient field (contracts.registration).
    return set(node.get("enum", [])) | set(node.get("x-insw-values", []))


def _signature(node: dict[str, Any]) -> str:
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return "|".join(sorted(_types(node))) or "any"


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Incompatibility]:
    """Every way ``new`` breaks what ``old`` promised (empty: compatible)."""
    walk = _Walk(old, new)
    walk.compare(old, new, "")
    return sorted(set(walk.found))


def check(root: Path | None = None) -> dict[str, list[str]]:
    """Schema id → its breaks (or that it was never released), for every ``v1`` channel."""
    root = root if root is not None else released_root()
    problems: dict[str, list[str]] = {}
    for channel in released_channels():
        path = root / file_name(channel)
        if not path.is_file():
            problems[channel.schema_id] = [
                "not released: run python -m devstack.json_compat --release"
            ]
            continue
        found = compare(json.loads(path.read_text()), schema_of(channel.model, channel.schema_id))
        if found:
            problems[channel.schema_id] = [str(f) for f in found]
    return problems


def release(root: Path) -> list[Path]:
    """Write the schema of each ``v1`` channel not released yet; never rewrite a released one."""
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for channel in released_channels():
        path = root / file_name(channel)
        if not path.exists():
            text = json.dumps(schema_of(channel.model, channel.schema_id), indent=2)
            path.write_text(text + "\n")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Check every ``v1`` channel (exit 1 naming each break), or ``--release`` new ones."""
    parser = argparse.ArgumentParser(prog="python -m devstack.json_compat", description=__doc__)
    parser.add_argument("--release", action="store_true", help="save schemas not released yet")
    args = parser.parse_args(argv)
    if args.release:
        source = Path(__file__).resolve().parent.parent / "schemas" / "json" / "v1" / "released"
        for path in release(source):
            print(f"released {path}")
        return 0
    problems = check()
    for schema_id, lines in problems.items():
        for line in lines:
            print(f"{schema_id}: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
