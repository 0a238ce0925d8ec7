"""The principals that sign records: who may write a decision input, by name.

Why names here: a channel declares which signers it accepts (see
:mod:`contracts.channels`), devstack gives each process the key of its
signer, and the trusted-keys registry maps key ids to these names. The
agencies' adapters sign as the ``signer`` of their :class:`~contracts.agencies.AgencySpec`.
"""

from typing import Final

from contracts.agencies import AGENCIES

GATEWAY: Final = "gateway"
"""Signs notification requests, decisions' audit records, and officer decisions taken
through its authenticated officer endpoint."""
OFFICER_DESK: Final = "officer-desk"
"""The officers' desk outside the gateway, writing manual decisions on Kafka."""
CEISA: Final = "ceisa"
"""The customs system (its simulator locally): signs every ``ceisa.response.v1`` document."""
CUSTOMS: Final = "customs"
"""The customs lifecycle service: signs its audit records and the trader's notification
requests."""
NOTIFIER: Final = "notifier"
"""The notifier: signs the audit records of operators' account changes."""

AGENCY_SIGNERS: Final = tuple(spec.signer for spec in AGENCIES)

ALL: Final = (GATEWAY, OFFICER_DESK, CEISA, CUSTOMS, NOTIFIER, *AGENCY_SIGNERS)
"""Every signer a stack generates a key for."""
