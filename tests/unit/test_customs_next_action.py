"""What the trader must do next, one test per stage (customs.next_action)."""

from dataclasses import replace
from datetime import date

import pytest

from customs.next_action import next_action
from customs.state import CustomsApplication, Stage

DUE = date(2026, 3, 16)
BASE = CustomsApplication("SUB-NA-1", frozenset({"IMPORTIR"}))


@pytest.mark.parametrize(
    ("app", "code", "due_on", "rule"),
    [
        (BASE, "NONE", None, None),
        (
            replace(BASE, stage=Stage.ENTERED, documents_due=DUE),
            "DELIVER_SUPPORTING_DOCUMENTS",
            DUE,
            "C3",
        ),
        (
            replace(
                BASE, stage=Stage.ENTERED, documents_due=DUE, stated_due={"C3": date(2026, 3, 17)}
            ),
            "DELIVER_SUPPORTING_DOCUMENTS",
            date(2026, 3, 17),
            "C3",
        ),
        (
            replace(BASE, stage=Stage.ENTERED, documents_due=DUE, documents_delivered_on=DUE),
            "NONE",
            None,
            None,
        ),
        (replace(BASE, stage=Stage.RETURNED), "REAPPLY_OR_STOP", None, "C3"),
        (replace(BASE, stage=Stage.RECEIPTED, decision_due=DUE), "NONE", None, None),
        (
            replace(
                BASE,
                stage=Stage.DOCUMENTS_REQUESTED,
                decision_due=DUE,
                additional_documents_due=date(2026, 3, 9),
            ),
            "ANSWER_ADDITIONAL_DOCUMENTS_REQUEST",
            date(2026, 3, 9),
            "C6",
        ),
        (replace(BASE, stage=Stage.REJECTED), "REAPPLY_OR_STOP", None, "C9"),
        (replace(BASE, stage=Stage.ACCEPTED, approved=BASE.activities), "NONE", None, None),
        (
            replace(BASE, stage=Stage.ACCEPTED, change_documents_due=DUE),
            "DELIVER_DATA_CHANGE_DOCUMENTS",
            DUE,
            "C10",
        ),
        (replace(BASE, stage=Stage.ACCEPTED, reapply_by=DUE), "REAPPLY_DATA_CHANGE", DUE, "C10"),
        (
            replace(
                BASE,
                stage=Stage.ACCEPTED,
                blockings={"B-2": frozenset({"IMPORTIR"}), "B-1": frozenset({"IMPORTIR"})},
                unblock_by={"B-1": date(2026, 6, 1), "B-2": date(2026, 5, 1)},
            ),
            "APPLY_FOR_UNBLOCK",
            date(2026, 5, 1),
            "C11/B-2",
        ),
        (
            replace(
                BASE,
                stage=Stage.ACCEPTED,
                blockings={"B-1": frozenset({"IMPORTIR"})},
                unblock_by={"B-1": date(2026, 6, 1)},
                unblock_applied={"B-1": date(2026, 4, 1)},
            ),
            "NONE",
            None,
            None,
        ),
        (replace(BASE, stage=Stage.REVOKED), "NONE", None, None),
    ],
    ids=[
        "submitted",
        "entered",
        "entered-ceisa-day",
        "entered-documents-delivered",
        "returned",
        "receipted",
        "documents-requested",
        "rejected",
        "accepted",
        "accepted-change-documents",
        "accepted-reapply-change",
        "accepted-blocked-earliest-window",
        "accepted-unblock-applied",
        "revoked",
    ],
)
def test_next_action_per_stage(app, code, due_on, rule):
    action = next_action(app)
    assert (action.code, action.due_on, action.rule) == (code, due_on, rule)
