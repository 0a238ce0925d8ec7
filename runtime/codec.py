"""JSON (de)serialisation of contract models, translating failures into PoisonMessage.

Validation errors are summarised by field path and error type only: pydantic's
own messages echo the input, which may be personal data.
"""

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from runtime.errors import PoisonMessage

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def decode(model: type[M], value: bytes | None) -> M:
    """Parse ``value`` as ``model`` or raise :class:`PoisonMessage` naming the fields."""
    if not value:
        raise PoisonMessage(f"empty value: expected a JSON {model.__name__}")
    try:
        return model.model_validate_json(value)
    except ValidationError as error:
        raise PoisonMessage(f"{model.__name__} invalid: {describe(error)}") from None


def describe(error: ValidationError) -> str:
    """A personal-data-free summary of a validation error: ``field: type`` pairs."""
    parts = []
    for item in error.errors(include_input=False, include_url=False)[:10]:
        location = ".".join(str(part) for part in item["loc"]) or "<root>"
        parts.append(f"{location}: {item['type']}")
    return "; ".join(parts)


def encode(model: BaseModel) -> bytes:
    """Serialise a contract model to compact JSON bytes."""
    return model.model_dump_json().encode()


def parse_with(parse: Callable[[bytes], T], value: bytes | None, what: str) -> T:
    """Parse ``value`` with ``parse``, or raise :class:`PoisonMessage` naming ``what`` and fields.

    ``parse`` may raise pydantic's ``ValidationError`` (summarised without the
    input, see :func:`describe`) or ``ValueError`` whose text is already free
    of personal data.
    """
    if not value:
        raise PoisonMessage(f"empty value: expected a JSON {what}")
    try:
        return parse(value)
    except ValidationError as error:
        raise PoisonMessage(f"{what} invalid: {describe(error)}") from None
    except ValueError as error:
        raise PoisonMessage(f"{what} invalid: {error}") from None
