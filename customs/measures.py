"""Measures on a registered customs id: blocking, unblocking (C11) and revocation (C12).

Each applies to some activities or to all (Art. 36, 38). A blocking is known
by its number, so an unblocking must name one that is in force: lifting a
blocking that never happened is refused, not ignored.
"""

from dataclasses import replace

from customs.events import Blocked, Revoked, Unblocked
from customs.state import CustomsApplication, InvalidTransition, Stage, expect


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
    return replace(app, blockings={**app.blockings, event.number: activities})


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
    return replace(app, blockings=remaining)


def revoke(app: CustomsApplication, event: Revoked) -> CustomsApplication:
    """Revoke activities for good; with the last one the customs id is revoked."""
    activities = _registered(app, event)
    revoked = app.revoked | activities
    blockings = {n: acts - revoked for n, acts in app.blockings.items() if acts - revoked}
    stage = Stage.REVOKED if revoked >= app.approved else Stage.ACCEPTED
    return replace(app, revoked=revoked, blockings=blockings, stage=stage)
