"""Interim service of an importer without a customs id (C14, PER-21/BC/2011 Art. 40).

An importer that has not yet received its customs id may be served for one
(1) import customs notification, after the head of a customs office approves
it. The approval is recorded once per application: a second is refused, as
is one for an application without the import activity or one already
decided (an accepted importer has its customs id; a rejected or returned
one must reapply). Exporters and carriers have the 14-working-day interim
service of Art. 42 instead (``customs.lifecycle``).
"""

from dataclasses import replace

from customs.events import InterimImportApproved
from customs.state import CustomsApplication, InvalidTransition, Stage, expect

IMPORTER = "IMPORTIR"


def approved(app: CustomsApplication, event: InterimImportApproved) -> CustomsApplication:
    """Record the one import notification served before the customs id (Art. 40)."""
    expect(app, event, Stage.SUBMITTED, Stage.ENTERED, Stage.RECEIPTED, Stage.DOCUMENTS_REQUESTED)
    if IMPORTER not in app.activities:
        raise InvalidTransition("NOT_AN_IMPORTER", "C14", "Art. 40 serves importers only")
    if app.interim_import is not None:
        raise InvalidTransition(
            "INTERIM_IMPORT_USED", "C14", "Art. 40 allows one import notification only"
        )
    return replace(app, interim_import=event.notification)
