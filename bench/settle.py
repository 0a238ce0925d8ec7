"""Wait until every consumer group on the broker has caught up.

Why: a phase ends when the last decision arrives, but a consumer off the
measured path (the CEISA adapter turning decisions into XML) may still be
working through a backlog. Starting the next phase then would charge its CPU
to the wrong measurement, so phases are separated by "no group has lag".
Lag is counted as :mod:`devstack.lag` counts it: with transactions, end minus
committed offset never reaches zero (commit markers take offsets).
"""

import asyncio
import time

from devstack.lag import total_pending


async def settle(bootstrap: str, group_prefix: str, timeout_s: float = 30.0) -> float:
    """Poll until no ``group_prefix*`` group lags (or the timeout); returns seconds taken."""
    began = time.monotonic()
    while time.monotonic() - began < timeout_s:
        if await total_pending(bootstrap, group_prefix, deadline_s=timeout_s) == 0:
            break
        await asyncio.sleep(0.5)
    return time.monotonic() - began
