"""CEISA's stated due dates against the hub's own working-day count (C3, C6, C7, C16).

Pure. CEISA states the last day of each period in its messages: the proof of
entry's ``DocumentsDueDate`` (C3, Art. 7(1)), the TTP-RK's ``DecisionDueDate``
(C7, Art. 20) and the additional-documents request's ``DueDate`` (C6,
Art. 17). The hub counts the same periods itself in working days
(:mod:`customs.workdays`). Both are kept on the record and both are
published.

Which one is followed when they differ: **CEISA's stated date**. CEISA owns
the PER-21 process: it issues the return receipt when *its* documents period
ends and decides by *its* date, so a hub deadline that disagrees would warn
the trader on a day that does not count (too early) or, worse, too late.
The difference is not hidden: the due date says ``discrepancy`` and the
deadline event names the date it follows and both days, so an operator can
look into a calendar (collective leave, a regional holiday) the two sides
count differently. Without a stated date the hub's count is followed.
"""

from datetime import date
from typing import Final

from contracts.customs import CustomsDueDate
from customs.state import CustomsApplication, Stage

STATED_RULES: Final = ("C3", "C6", "C7")
"""The periods CEISA states a last day for."""


def reconcile(hub: date, ceisa: date | None) -> CustomsDueDate:
    """Both days of one deadline and which is followed (CEISA's, when it stated one)."""
    return CustomsDueDate(
        hub=hub,
        ceisa=ceisa,
        follows="CEISA" if ceisa is not None else "HUB",
        discrepancy=ceisa is not None and ceisa != hub,
    )


def hub_days(app: CustomsApplication) -> dict[str, date]:
    """The hub's own count of the C3, C6 and C7 periods open in ``app``'s stage."""
    by_stage: dict[Stage, dict[str, date | None]] = {
        Stage.ENTERED: {"C3": None if app.documents_delivered_on else app.documents_due},
        Stage.RECEIPTED: {"C7": app.decision_due},
        Stage.DOCUMENTS_REQUESTED: {"C6": app.additional_documents_due, "C7": app.decision_due},
    }
    found = by_stage.get(app.stage, {})
    return {rule: due for rule, due in found.items() if due is not None}


def due_dates(app: CustomsApplication) -> dict[str, CustomsDueDate]:
    """The open C3, C6 and C7 deadlines of ``app``, each as both sides count it."""
    return {rule: reconcile(hub, app.stated_due.get(rule)) for rule, hub in hub_days(app).items()}


def followed(app: CustomsApplication, rule: str, hub: date) -> date:
    """The day ``rule``'s deadline follows: CEISA's stated one if any, else ``hub``."""
    return app.stated_due.get(rule, hub)
