"""The hub's own exceptions; third-party errors are translated into these at the boundary."""


class HubError(Exception):
    """Root of every error the hub raises on purpose."""


class PoisonMessage(HubError):
    """A record that no retry can fix: malformed bytes, wrong schema, no submission id.

    The message text goes into dead-letter headers, so it must never contain
    personal data: name the field and the rule, never the value.
    """


class TransientFailure(HubError):
    """A dependency is unavailable; the same record may succeed later."""
