"""Measures on a registered customs id: blocking, unblocking (C11) and revocation (C12).

Each applies to some activities or to all (Art. 36, 38). A blocking is known
by its number, so an unblocking must name one that is in force: lifting a
blocking that never happened is refused, not ignored.

A blocking for a cause of Art. 34(1) b, d, e or f opens a window of 3
calendar months (Art. 35(4)) in which the user may apply for unblocking; it
is tracked per blocking number until that blocking is wholly lifted or its
activities revoked. Art. 35(4) limits the user's *application*, which the
hub does not receive from CEISA, not customs' decision: an unblocking notice
after the window (on an application filed in time) is therefore applied.
"""

from dataclasses import replace
from datetime import date
from typing import Final

from customs.events import Blocked, Revoked, Unblocked
from customs.periods import add_months
from customs.site_checks import after_blocking
from customs.state import CustomsApplication, InvalidTransition, Stage, expect

UNBLOCK_MONTHS: Final = 3  # C11, Art. 35(4), calendar months


def _registered(app: CustomsApplication, event: Blocked | Unblocked | Revoked) -> frozenset[str]:
    expect(app, event, Stage.ACCEPTED)
    held = app.approved - app.revoked
    activities = event.scope.resolve(held)
    if not activities or not activities <= held:
        raise InvalidTransition(
            "ACTIVITY_NOT_HELD", "C11/C12", "the scope names activities the customs id lacks"
        )
    return activities


def block(app: CustomsApplication, event: Blocked) -> CustomsApplication:
    """Block the scope's activities under the blocking's number."""
    activities = _registered(app, event)
    if event.number in app.blockings:
        raise InvalidTransition("BLOCKING_EXISTS", "C11", f"blocking {event.number} is in force")
    windows = dict(app.unblock_by)
    if event.time_limited:
        windows[event.number] = add_months(event.on, UNBLOCK_MONTHS)
    return replace(
        app,
        blockings={**app.blockings, event.number: activities},
        unblock_by=windows,
        change_notice_due=after_blocking(app, event.on),  # C15: Art. 51(2) acted on
    )


def unblock(app: CustomsApplication, event: Unblocked) -> CustomsApplication:
    """Lift a blocking in force, for some of its activities or all of them."""
    expect(app, event, Stage.ACCEPTED)
    blocked = app.blockings.get(event.number)
    if blocked is None:
        raise InvalidTransition("NOT_BLOCKED", "C11", f"no blocking {event.number} to lift")
    lifted = event.scope.resolve(blocked)
    if not lifted or not lifted <= blocked:
        raise InvalidTransition(
            "NOT_BLOCKED", "C11", f"blocking {event.number} does not cover those activities"
        )
    remaining = {number: acts for number, acts in app.blockings.items() if number != event.number}
    if blocked - lifted:
        remaining[event.number] = blocked - lifted
    return replace(app, blockings=remaining, unblock_by=_windows(app.unblock_by, remaining))


def revoke(app: CustomsApplication, event: Revoked) -> CustomsApplication:
    """Revoke activities for good; with the last one the customs id is revoked."""
    activities = _registered(app, event)
    revoked = app.revoked | activities
    blockings = {n: acts - revoked for n, acts in app.blockings.items() if acts - revoked}
    stage = Stage.REVOKED if revoked >= app.approved else Stage.ACCEPTED
    return replace(
        app,
        revoked=revoked,
        blockings=blockings,
        unblock_by=_windows(app.unblock_by, blockings),
        stage=stage,
    )


def _windows(windows: dict[str, date], blockings: dict[str, frozenset[str]]) -> dict[str, date]:
    """The unblocking windows of the blockings still in force."""
    return {number: due for number, due in windows.items() if number in blockings}
