"""Manual registration at a customs office (C13, PER-21/BC/2011 Art. 2(3), 11-14).

An exporter who cannot use the online channel brings the form and the
Art. 6(2) documents to a customs office appointed for it (Art. 11). The
office receipts them (Attachment V, Art. 12(1)-(2)) and must enter the
application in CEISA and pass the documents on within **1 working day**
(Art. 12(3)); the TTP-RK follows within 10 working days of the receipt
(Art. 13). The English source says "at least"; read with Art. 7(1) and 20,
which bound customs the same way, we take it as the latest day, and track it.

The receipt opens the application: a manual registration for a submission
already in progress is refused, and so is one for anything but exporting
(Art. 2(3) opens the manual channel to exporters only). Because the documents
came with the form, the C3 clock is met from the receipt on; once CEISA's
proof of entry or TTP-RK arrives the office has done its part (C13 closes).
"""

from dataclasses import replace
from datetime import date
from typing import Final

from customs.events import ManualRegistrationRecorded
from customs.state import CustomsApplication, InvalidTransition, Stage
from customs.workdays import add_working_days

MANUAL_PROCESSING_DAYS: Final = 1  # C13, Art. 12(3), working days
MANUAL_TTP_RK_DAYS: Final = 10  # C13, Art. 13, working days
MANUAL_ACTIVITIES: Final = frozenset({"EKSPORTIR"})  # Art. 2(3): exporters only


def recorded(app: CustomsApplication, event: ManualRegistrationRecorded) -> CustomsApplication:
    """Open a manually received application: both C13 clocks start, C3 is met."""
    if app.stage is not Stage.SUBMITTED or app.manual_office or app.documents_due:
        raise InvalidTransition(
            "APPLICATION_EXISTS", "C13", "this submission is already in the customs process"
        )
    if app.activities != MANUAL_ACTIVITIES:
        raise InvalidTransition(
            "MANUAL_FOR_EXPORTERS_ONLY",
            "C13",
            "the manual channel serves exporting only (Art. 2(3))",
        )
    return replace(
        app,
        manual_office=event.office,
        manual_processing_due=add_working_days(event.on, MANUAL_PROCESSING_DAYS),
        manual_ttp_rk_due=add_working_days(event.on, MANUAL_TTP_RK_DAYS),
        documents_delivered_on=event.on,
    )


def deadlines(app: CustomsApplication) -> dict[str, date]:
    """The open C13 clocks: the office's day until CEISA hears of it, the TTP-RK's until issued."""
    by_stage: dict[Stage, dict[str, date | None]] = {
        Stage.SUBMITTED: {"C13": app.manual_processing_due, "C13/ttp-rk": app.manual_ttp_rk_due},
        Stage.ENTERED: {"C13/ttp-rk": app.manual_ttp_rk_due},
    }
    found = by_stage.get(app.stage, {})
    return {rule: due for rule, due in found.items() if due is not None}
