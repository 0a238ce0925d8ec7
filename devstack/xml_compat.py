"""Is a new version of a CEISA schema backward compatible with the old one?

Compatible means: every document valid under the old schema is still valid
under the new one, so stored and in-flight v1 documents, and v1 producers,
keep working, and nothing a v1 reader relies on disappears. The check is
conservative: it compares the two schemas' component models (via
xmlschema) element by element, pairing elements by local name because the
namespace carries the major version, and reports anything that can break:

- a root or child element removed, or an attribute removed;
- a new required element or attribute;
- occurrences tightened (``minOccurs`` up, ``maxOccurs`` down);
- an enumeration narrowed, a pattern changed, a length bound tightened,
  or a simple type's primitive type changed.

Adding optional elements and widening enumerations is compatible. Choices
are treated as sequences of optional branches, which is why a change of
content model (sequence to choice) is not detected; review those by hand.
"""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import xmlschema
from xmlschema.validators import XsdElement, XsdGroup


class Break(StrEnum):
    """The kinds of incompatible change."""

    REMOVED_ELEMENT = "REMOVED_ELEMENT"
    NEW_REQUIRED_ELEMENT = "NEW_REQUIRED_ELEMENT"
    TIGHTER_OCCURS = "TIGHTER_OCCURS"
    REMOVED_ATTRIBUTE = "REMOVED_ATTRIBUTE"
    NEW_REQUIRED_ATTRIBUTE = "NEW_REQUIRED_ATTRIBUTE"
    NARROWED_ENUMERATION = "NARROWED_ENUMERATION"
    CHANGED_PATTERN = "CHANGED_PATTERN"
    TIGHTER_LENGTH = "TIGHTER_LENGTH"
    CHANGED_TYPE = "CHANGED_TYPE"
    CHANGED_CONTENT_KIND = "CHANGED_CONTENT_KIND"


@dataclass(frozen=True)
class Incompatibility:
    """One breaking difference, at an element path written with local names."""

    path: str
    kind: Break
    detail: str = ""


class IncompatibleSchema(ValueError):
    """The new schema would break readers or documents of the old one."""

    def __init__(self, problems: list[Incompatibility]) -> None:
        self.problems = problems
        lines = "; ".join(f"{p.path}: {p.kind.value} {p.detail}".strip() for p in problems)
        super().__init__(f"incompatible schema change: {lines}")


def compare_schemas(old: Path, new: Path) -> list[Incompatibility]:
    """Every breaking difference from the XSD at ``old`` to the XSD at ``new``."""
    old_schema, new_schema = _load(old), _load(new)
    problems: list[Incompatibility] = []
    new_roots = {element.local_name: element for element in new_schema.elements.values()}
    for root in old_schema.elements.values():
        counterpart = new_roots.get(root.local_name)
        if counterpart is None:
            problems.append(Incompatibility(f"/{root.local_name}", Break.REMOVED_ELEMENT))
        else:
            _compare_element(root, counterpart, f"/{root.local_name}", problems, set())
    return problems


def check_compatible(old: Path, new: Path) -> None:
    """Raise :class:`IncompatibleSchema` if ``new`` would break users of ``old``."""
    problems = compare_schemas(old, new)
    if problems:
        raise IncompatibleSchema(problems)


def _load(path: Path) -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(path.resolve()), allow="sandbox", defuse="always")


def _compare_element(
    old: XsdElement, new: XsdElement, path: str, out: list[Incompatibility], seen: set[Any]
) -> None:
    key = (id(old.type), id(new.type))
    if key in seen:  # recursive types: each pair once
        return
    seen.add(key)
    old_type: Any = old.type  # a simple or a complex type; checked below
    new_type: Any = new.type
    if old_type.is_simple() != new_type.is_simple():
        out.append(Incompatibility(path, Break.CHANGED_CONTENT_KIND))
        return
    if old_type.is_simple():
        _compare_simple(old_type, new_type, path, out)
        return
    _compare_attributes(old_type.attributes, new_type.attributes, path, out)
    if old_type.has_simple_content() or new_type.has_simple_content():
        if old_type.has_simple_content() != new_type.has_simple_content():
            out.append(Incompatibility(path, Break.CHANGED_CONTENT_KIND))
        else:
            _compare_simple(old_type.content, new_type.content, path, out)
        return
    old_children, new_children = _children(old_type.content), _children(new_type.content)
    for name, (child, required) in old_children.items():
        child_path = f"{path}/{name}"
        if name not in new_children:
            out.append(Incompatibility(child_path, Break.REMOVED_ELEMENT))
            continue
        counterpart, new_required = new_children[name]
        if (new_required and not required) or _max(counterpart) < _max(child):
            out.append(Incompatibility(child_path, Break.TIGHTER_OCCURS))
        _compare_element(child, counterpart, child_path, out, seen)
    for name, (_, required) in new_children.items():
        if required and name not in old_children:
            out.append(Incompatibility(f"{path}/{name}", Break.NEW_REQUIRED_ELEMENT))


def _children(group: XsdGroup) -> dict[str, tuple[XsdElement, bool]]:
    """Child elements by local name, each with whether a document must contain it."""
    found: dict[str, tuple[XsdElement, bool]] = {}

    def walk(particle: XsdGroup, required: bool) -> None:
        branch_required = required and particle.min_occurs > 0
        if particle.model == "choice" and len(particle) > 1:
            branch_required = False
        for item in particle:
            if isinstance(item, XsdGroup):
                walk(item, branch_required)
            elif isinstance(item, XsdElement):
                found[item.local_name] = (item, branch_required and item.min_occurs > 0)

    walk(group, True)
    return found


def _max(element: XsdElement) -> float:
    return float("inf") if element.max_occurs is None else float(element.max_occurs)


def _compare_attributes(old: Any, new: Any, path: str, out: list[Incompatibility]) -> None:
    for name, attribute in old.items():
        if name not in new:
            out.append(Incompatibility(f"{path}/@{name}", Break.REMOVED_ATTRIBUTE))
        else:
            _compare_simple(attribute.type, new[name].type, f"{path}/@{name}", out)
    for name, attribute in new.items():
        if name not in old and attribute.use == "required":
            out.append(Incompatibility(f"{path}/@{name}", Break.NEW_REQUIRED_ATTRIBUTE))


def _compare_simple(old: Any, new: Any, path: str, out: list[Incompatibility]) -> None:
    if _primitive(old) != _primitive(new):
        out.append(
            Incompatibility(path, Break.CHANGED_TYPE, f"{_primitive(old)}->{_primitive(new)}")
        )
        return
    old_values, new_values = _facet(old, "enumeration"), _facet(new, "enumeration")
    if new_values is not None and (old_values is None or set(old_values) - set(new_values)):
        dropped = sorted(set(old_values or ()) - set(new_values))
        out.append(Incompatibility(path, Break.NARROWED_ENUMERATION, ",".join(dropped)))
    if _patterns(old) != _patterns(new) and _patterns(new):
        out.append(Incompatibility(path, Break.CHANGED_PATTERN))
    if _tighter(_facet(old, "max_length"), _facet(new, "max_length"), larger_is_looser=True) or (
        _tighter(_facet(old, "min_length"), _facet(new, "min_length"), larger_is_looser=False)
    ):
        out.append(Incompatibility(path, Break.TIGHTER_LENGTH))


def _primitive(simple: Any) -> str:
    primitive = getattr(simple, "primitive_type", None)
    return str(getattr(primitive, "local_name", None) or getattr(simple, "local_name", "?"))


def _facet(simple: Any, name: str) -> Any:
    return getattr(simple, name, None)


def _patterns(simple: Any) -> tuple[str, ...]:
    patterns = getattr(simple, "patterns", None)
    return tuple(patterns.regexps) if patterns is not None else ()


def _tighter(old: int | None, new: int | None, *, larger_is_looser: bool) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    return new < old if larger_is_looser else new > old
