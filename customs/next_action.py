"""What the trader must do next for one customs application, and by when; pure.

The answer follows the stage and the open deadlines (the day followed, see
:mod:`customs.due_dates`):

* ENTERED, documents not delivered: DELIVER_SUPPORTING_DOCUMENTS by the C3 day;
* DOCUMENTS_REQUESTED: ANSWER_ADDITIONAL_DOCUMENTS_REQUEST by the C6 day;
* RETURNED or REJECTED: REAPPLY_OR_STOP (Art. 10, 22 set no period);
* ACCEPTED with a notified data change waiting for documents:
  DELIVER_DATA_CHANGE_DOCUMENTS by the C10 day; after a rejected protected
  change: REAPPLY_DATA_CHANGE by the Art. 30(2) day; a time-limited blocking
  not yet applied against: APPLY_FOR_UNBLOCK by its Art. 35(4) day (earliest);
  a site check's notice (C15): APPLY_FOR_DATA_CHANGE by its Art. 51(1) day;
* anything else (SUBMITTED, documents delivered, RECEIPTED, REVOKED, a
  registered id with nothing open): NONE, customs acts next.
"""

from contracts.customs import NextAction
from customs import lifecycle
from customs.state import CustomsApplication, Stage

_NONE = NextAction(code="NONE")


def next_action(app: CustomsApplication) -> NextAction:
    """The trader's next act for ``app``."""
    due = lifecycle.deadlines(app)
    if app.stage is Stage.ENTERED and "C3" in due:
        return NextAction(code="DELIVER_SUPPORTING_DOCUMENTS", due_on=due["C3"], rule="C3")
    if app.stage is Stage.DOCUMENTS_REQUESTED:
        return NextAction(code="ANSWER_ADDITIONAL_DOCUMENTS_REQUEST", due_on=due["C6"], rule="C6")
    if app.stage in (Stage.RETURNED, Stage.REJECTED):
        rule = "C3" if app.stage is Stage.RETURNED else "C9"
        return NextAction(code="REAPPLY_OR_STOP", rule=rule)
    if app.stage is Stage.ACCEPTED:
        return _registered(app)
    return _NONE


def _registered(app: CustomsApplication) -> NextAction:
    if app.change_documents_due is not None:
        return NextAction(
            code="DELIVER_DATA_CHANGE_DOCUMENTS", due_on=app.change_documents_due, rule="C10"
        )
    if app.reapply_by is not None:
        return NextAction(code="REAPPLY_DATA_CHANGE", due_on=app.reapply_by, rule="C10")
    if app.change_notice_due is not None:
        return NextAction(
            code="APPLY_FOR_DATA_CHANGE", due_on=app.change_notice_due, rule="C15/notice"
        )
    waiting = sorted(
        (on, number) for number, on in app.unblock_by.items() if number not in app.unblock_applied
    )
    if waiting:
        on, number = waiting[0]
        return NextAction(code="APPLY_FOR_UNBLOCK", due_on=on, rule=f"C11/{number}")
    return _NONE
