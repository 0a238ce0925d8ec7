"""The hub's own exceptions; third-party errors are translated into these at the boundary."""

MAX_ERROR_TEXT = 500


class HubError(Exception):
    """Root of every error the hub raises on purpose."""


class PoisonMessage(HubError):
    """A record that no retry can fix: malformed bytes, wrong schema, no submission id.

    The message text goes into dead-letter headers, so it must never contain
    personal data: name the field and the rule, never the value.
    """


class TransientFailure(HubError):
    """A dependency is unavailable; the same record may succeed later."""


class CommitUncertain(TransientFailure):
    """The commit request failed after it may have reached the coordinator: it may have landed."""


class PublishedUncommitted(TransientFailure):
    """An at-least-once batch failed after its records may have reached readers.

    Its offsets are not committed, so it will be read and published again; an
    audit chain must re-read its head, since entries of the failed try may be
    on the topic, visible (``runtime.at_least_once``).
    """


def safe_error_text(error: BaseException) -> str:
    """Error text fit for a header: the hub's own message, or only the class for foreign errors.

    Foreign exceptions (a library's ``ValueError``) may quote their input, so
    their text is not trusted; our own errors are written to be free of
    personal data.
    """
    text = str(error) if isinstance(error, HubError) else "unexpected error in handler"
    return text[:MAX_ERROR_TEXT]
