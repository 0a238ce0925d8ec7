"""Static HTML of the AsyncAPI and OpenAPI documents: readable offline, nothing fetched.

``python -m devstack.contract_html`` writes ``docs/asyncapi.html`` and
``docs/openapi/<service>.html`` from the generated documents (``--check``
exits 1 naming each file that differs). One inline stylesheet, no script, no
font or CDN: the pages open from a file system or an air-gapped mirror. Each
schema in ``components`` gets an anchor, and every ``$ref`` links to it.
"""

import argparse
import json
import sys
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

from contracts import asyncapi
from devstack import openapi

DOCS = Path(__file__).resolve().parent.parent / "docs"
_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem}
h1{font-size:1.6rem}h2{border-bottom:2px solid #ccc;margin-top:2.5rem}h3{margin-top:1.8rem}
code{background:#f1f1f1;padding:0 .2em}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}.method{text-transform:uppercase;font-weight:bold}
"""
_CONSTRAINTS = (
    "const",
    "enum",
    "x-insw-values",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "contentMediaType",
    "default",
)


def _anchor(name: str) -> str:
    return "schema-" + "".join(c if c.isalnum() else "-" for c in name)


def _type(node: dict[str, Any]) -> str:
    """A schema's type as HTML: links for references, ``a | b`` for unions."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#{_anchor(name)}">{escape(name)}</a>'
    for union in ("anyOf", "oneOf"):
        if union in node:
            return " | ".join(_type(member) for member in node[union])
    kind = node.get("type", "any")
    if kind == "array" and isinstance(node.get("items"), dict):
        return f"array of {_type(node['items'])}"
    return escape(kind if isinstance(kind, str) else " | ".join(kind))


def _constraints(node: dict[str, Any]) -> str:
    found = [
        f"<code>{escape(key)}</code>: {escape(json.dumps(node[key], ensure_ascii=False))}"
        for key in _CONSTRAINTS
        if key in node
    ]
    return "<br>".join(found)


def _table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """An HTML table; cells are HTML already (escape before)."""
    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{header}</tr>{body}</table>"


def fields(schema: dict[str, Any]) -> str:
    """A schema's properties as a table (or its type and constraints when it has none)."""
    properties = schema.get("properties")
    if not properties:
        text = escape(schema.get("description", ""))
        return f"<p>{_type(schema)} {_constraints(schema)} {text}</p>"
    required = set(schema.get("required", []))
    rows = [
        (
            f"<code>{escape(name)}</code>",
            _type(prop),
            "yes" if name in required else "no",
            _constraints(prop),
            escape(prop.get("description", "")) + (fields(prop) if "properties" in prop else ""),
        )
        for name, prop in properties.items()
    ]
    return _table(("field", "type", "required", "values and limits", "description"), rows)


def _components(schemas: dict[str, Any]) -> str:
    parts = ["<h2>Schemas</h2>"]
    for name, schema in schemas.items():
        parts.append(f'<h3 id="{_anchor(name)}">{escape(name)}</h3>')
        if schema.get("description"):
            parts.append(f"<p>{escape(schema['description'])}</p>")
        parts.append(fields(schema))
    return "".join(parts)


def _page(title: str, description: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(description)}</p>{body}</body></html>\n"
    )


def asyncapi_html(doc: dict[str, Any]) -> str:
    """The AsyncAPI document as one page: every channel, its message, headers, key, payload."""
    parts = ["<h2>Channels</h2><ul>"]
    for key, channel in doc["channels"].items():
        parts.append(f'<li><a href="#{escape(key)}"><code>{escape(channel["address"])}</code></a>')
    parts.append("</ul>")
    for key, channel in doc["channels"].items():
        parts.append(f'<h2 id="{escape(key)}"><code>{escape(channel["address"])}</code></h2>')
        parts.append(f"<p>{escape(channel.get('description', ''))}</p>")
        for message in channel["messages"].values():
            parts.append(f"<p>Content type <code>{escape(message['contentType'])}</code>.</p>")
            kafka_key = message.get("bindings", {}).get("kafka", {}).get("key", {})
            parts.append(f"<p>Key (partitioning): {escape(kafka_key.get('description', ''))}</p>")
            parts.append("<h3>Headers</h3>" + fields(message["headers"]))
            parts.append("<h3>Payload</h3>" + fields(message["payload"]))
    parts.append(_components(doc["components"]["schemas"]))
    info = doc["info"]
    return _page(
        f"{info['title']} — AsyncAPI {doc['asyncapi']}", info["description"], "".join(parts)
    )


def _responses(responses: dict[str, Any]) -> str:
    rows = []
    for status, answer in responses.items():
        content = answer.get("content", {})
        bodies = "<br>".join(
            f"<code>{escape(media)}</code> {_type(spec['schema'])}"
            for media, spec in content.items()
        )
        headers = "<br>".join(f"<code>{escape(name)}</code>" for name in answer.get("headers", {}))
        rows.append((escape(status), escape(answer["description"]), bodies, headers))
    return _table(("status", "when", "body", "headers"), rows)


def _parameters(parameters: list[dict[str, Any]]) -> str:
    rows = [
        (
            f"<code>{escape(p['name'])}</code>",
            escape(p["in"]),
            "yes" if p.get("required") else "no",
            _constraints(p.get("schema", {})),
            escape(p.get("description", "")),
        )
        for p in parameters
    ]
    return _table(("name", "in", "required", "limits", "description"), rows)


def openapi_html(doc: dict[str, Any]) -> str:
    """An OpenAPI document as one page: every path and method, parameters, bodies, statuses."""
    parts = ["<h2>Endpoints</h2><ul>"]
    for path, operations in doc["paths"].items():
        for method in operations:
            anchor = escape(f"{method}{path}")
            parts.append(
                f'<li><a href="#{anchor}"><span class="method">{escape(method)}</span> '
                f"<code>{escape(path)}</code></a>"
            )
    parts.append("</ul>")
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            parts.append(
                f'<h2 id="{escape(method + path)}"><span class="method">{escape(method)}</span> '
                f"<code>{escape(path)}</code></h2><p>{escape(op['summary'])}</p>"
            )
            if op.get("security"):
                schemes = ", ".join(name for item in op["security"] for name in item)
                parts.append(f"<p>Authentication: {escape(schemes)}</p>")
            if op.get("parameters"):
                parts.append("<h3>Parameters</h3>" + _parameters(op["parameters"]))
            for media, spec in op.get("requestBody", {}).get("content", {}).items():
                parts.append(f"<h3>Request body <code>{escape(media)}</code></h3>")
                parts.append(fields(spec["schema"]))
            parts.append("<h3>Responses</h3>" + _responses(op["responses"]))
    parts.append(_components(doc["components"]["schemas"]))
    info = doc["info"]
    return _page(f"{info['title']} — OpenAPI {doc['openapi']}", info["description"], "".join(parts))


def pages() -> dict[Path, str]:
    """Every page, by the path it is committed at."""
    found = {DOCS / "asyncapi.html": asyncapi_html(asyncapi.document())}
    for api in openapi.apis():
        found[openapi.DOCS / f"{api.name}.html"] = openapi_html(openapi.document(api))
    return found


def main(argv: list[str] | None = None) -> int:
    """Write every page (or with ``--check`` name each one that differs and exit 1)."""
    parser = argparse.ArgumentParser(prog="python -m devstack.contract_html", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a page differs")
    args = parser.parse_args(argv)
    stale = []
    for path, text in pages().items():
        if args.check:
            if not path.is_file() or path.read_text() != text:
                stale.append(path)
        else:
            path.write_text(text)
    for path in stale:
        print(f"{path} differs: run python -m devstack.contract_html", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
