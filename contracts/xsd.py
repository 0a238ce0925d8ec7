"""Loading the hub's XSDs, once, with a parser that touches neither disk nor network.

Schemas are versioned by directory (``schemas/xsd/ceisa/v1``); a new version
is a new directory. Each message schema includes its directory's
``common.xsd`` (a chameleon include: the shared types take the message's
namespace), so includes only ever resolve to local files beside the schema.
Compiled schemas are cached: compiling is milliseconds, validating is
microseconds, and the hot path must only pay the latter. The message
catalogue is ``contracts.xml_messages``; safe parsing ``contracts.xml_parsing``.
"""

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Final

from lxml import etree

SCHEMA_ROOT: Final = Path(str(files("schemas").joinpath("xsd")))
"""``schemas/xsd`` as installed (package data of the ``schemas`` package).

A real directory: wheels install unpacked, and lxml resolves each schema's
``common.xsd`` include beside the file, so a single extracted file would not do.
"""

CEISA_REGISTRATION_V1: Final = "ceisa/v1/registration.xsd"
CEISA_REGISTRATION_NS: Final = "urn:insw:ceisa:registration:v1"


def schema_path(relative: str) -> Path:
    """Absolute path of a schema file under ``schemas/xsd``."""
    return SCHEMA_ROOT / relative


def hardened_parser() -> etree.XMLParser:
    """An lxml parser safe for untrusted XML.

    No DTD loading or validation, no entity expansion, no network, and no
    huge-tree mode; callers also bound the input size before parsing.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


@cache
def load_schema(relative: str) -> etree.XMLSchema:
    """Compile (once) the XSD at ``schemas/xsd/<relative>``."""
    document = etree.parse(str(schema_path(relative)), hardened_parser())
    return etree.XMLSchema(document)
