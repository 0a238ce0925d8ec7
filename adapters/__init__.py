"""Adapters between the hub's Kafka topics and the agencies.

Every verification adapter has the same shape, so adding an agency means
copying a folder: ``settings`` (what to configure), ``wire`` (the agency's
format mapped to the contracts, pure), ``client`` (the agency call),
``app`` (composition root) and ``__main__``. Adapters import the contracts
and the shared runtime, and share the agency kit (:mod:`adapters.kit`);
never the gateway, never each other.
"""
