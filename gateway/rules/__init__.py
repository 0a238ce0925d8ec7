"""Decision rules as pure functions: data in, reasons and outcome out.

Nothing in this package performs I/O or imports Kafka, Redis or HTTP code; the
rules read like the registration manual (shared/DOMAIN.md R1 to R19) and are
tested table by table.
"""

RULES_VERSION = "insw-rules/2.0.0"
"""2.0.0: fail closed (only what agencies proved is approved), answers tied to their questions,
R9 leaves existence (and region codes) to Dukcapil, R10 takes any international phone."""
