"""Routing's use cases. ``on_submitted`` decides; it neither publishes nor talks HTTP."""

from __future__ import annotations

from samleng.common.events import AssignedData, ComplaintAssigned, ComplaintSubmitted
from samleng.routing.domain.model import Directory
from samleng.routing.domain.rules import pick_office

PRODUCER = "routing"


def on_submitted(event: ComplaintSubmitted, directory: Directory) -> ComplaintAssigned:
    """The assignment a new case gets, as an event derived from the submission."""
    decision = pick_office(event.data, directory)
    return ComplaintAssigned.caused_by(
        event,
        producer=PRODUCER,
        data=AssignedData(
            office=decision.office.ref(),
            rule=decision.rule,
            explanation_en=decision.explanation_en,
            explanation_km=decision.explanation_km,
            directory_version=decision.directory_version,
        ),
    )
