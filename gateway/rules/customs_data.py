"""The PPJK's customs expert and the carrier's transport means (C5, PER-21 Art. 15(3)-(4)).

Both are optional on the form: customs checks them during its administrative
checking (Art. 15-16), and the hub only makes sure what it forwards is well
formed and belongs to the business type it is for. Violations report under
R6, the business types they belong to, each naming its field path:

* a customs expert only with ``PPJK``; its certificate number is upper-case
  letters, ASCII digits, ``.``, ``/`` or ``-`` (3 to 40);
* transport means only with ``PENGANGKUT`` (at most 20, none twice); mode
  ``SEA``, ``AIR``, ``LAND`` or ``RAIL``; a vessel is identified by its IMO
  ship identification number, ``IMO`` and seven digits whose last is the
  check digit (the first six weighted 7 down to 2, summed, modulo 10: IMO
  Resolution A.1117(30)); other modes by their registration mark.

Pure; :func:`normalised_expert` and :func:`normalised_means` give what is
forwarded to customs (trimmed, upper case).
"""

import re
from typing import Final

from contracts import reasons as rc
from contracts.reasons import Reason
from contracts.registration import BusinessType, CustomsExpert, Organisation, TransportMeans

MODES: Final = frozenset({"SEA", "AIR", "LAND", "RAIL"})
MAX_TRANSPORT_MEANS: Final = 20
MAX_NAME: Final = 100
_CERTIFICATE = re.compile(r"[A-Z0-9./-]{3,40}", re.ASCII)
_IMO = re.compile(r"IMO([0-9]{7})", re.ASCII)
_MARK = re.compile(r"[A-Z0-9-]{2,20}", re.ASCII)


def check_customs_data(org: Organisation, reasons: list[Reason]) -> None:
    """Append a reason for every malformed or misplaced customs expert or transport means."""
    chosen = set(org.business_types)
    expert = org.customs_expert
    if expert is not None:
        if BusinessType.PPJK not in chosen:
            reasons.append(rc.CUSTOMS_EXPERT_NOT_PPJK.at("organisation.customs_expert"))
        number = (expert.certificate_number or "").strip().upper()
        if not _CERTIFICATE.fullmatch(number):
            path = "organisation.customs_expert.certificate_number"
            reasons.append(rc.CUSTOMS_EXPERT_CERTIFICATE_FORMAT.at(path))
    if org.transport_means and BusinessType.PENGANGKUT not in chosen:
        reasons.append(rc.TRANSPORT_MEANS_NOT_CARRIER.at("organisation.transport_means"))
    if len(org.transport_means) > MAX_TRANSPORT_MEANS:
        reasons.append(rc.TRANSPORT_MEANS_TOO_MANY.at("organisation.transport_means"))
    seen: set[tuple[str, str]] = set()
    for index, means in enumerate(org.transport_means[:MAX_TRANSPORT_MEANS]):
        _check_means(means, f"organisation.transport_means[{index}]", seen, reasons)


def _check_means(
    means: TransportMeans, path: str, seen: set[tuple[str, str]], reasons: list[Reason]
) -> None:
    mode = (means.mode or "").strip().upper()
    identifier = _compact(means.identifier)
    if mode not in MODES:
        reasons.append(rc.TRANSPORT_MODE_UNKNOWN.at(f"{path}.mode"))
    elif not valid_identifier(mode, identifier):
        reasons.append(rc.TRANSPORT_MEANS_ID_FORMAT.at(f"{path}.identifier"))
    elif (mode, identifier) in seen:
        reasons.append(rc.TRANSPORT_MEANS_DUPLICATE.at(f"{path}.identifier"))
    seen.add((mode, identifier))
    if len((means.name or "").strip()) > MAX_NAME:
        reasons.append(rc.TRANSPORT_MEANS_NAME_FORMAT.at(f"{path}.name"))


def valid_identifier(mode: str, identifier: str) -> bool:
    """An IMO number with a valid check digit for a vessel; a registration mark otherwise."""
    if mode != "SEA":
        return bool(_MARK.fullmatch(identifier))
    found = _IMO.fullmatch(identifier)
    if found is None:
        return False
    digits = [int(d) for d in found[1]]
    return sum(d * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True)) % 10 == digits[6]


def normalised_expert(expert: CustomsExpert | None) -> CustomsExpert | None:
    """The expert as forwarded to customs: the certificate number trimmed, upper case."""
    if expert is None:
        return None
    return CustomsExpert(certificate_number=(expert.certificate_number or "").strip().upper())


def normalised_means(means: list[TransportMeans]) -> list[TransportMeans]:
    """The transport means as forwarded: mode and identifier upper case, name trimmed."""
    return [
        TransportMeans(
            mode=(m.mode or "").strip().upper(),
            identifier=_compact(m.identifier),
            name=(m.name or "").strip() or None,
        )
        for m in means
    ]


def _compact(value: str | None) -> str:
    """Upper case without spaces: "imo 9074729" and "IMO9074729" are one vessel."""
    return "".join((value or "").split()).upper()
