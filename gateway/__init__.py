"""The INSW registration gateway: one submission in, one decision out.

It validates a submission against the registration manual's rules, asks the
agencies (through their adapters, over Kafka) about the identifiers, gathers
the answers in Redis and publishes the single decision.
"""
