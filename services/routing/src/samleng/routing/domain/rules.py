"""Routing rules: which office must act on a case, and why. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from samleng.common.events import SubmittedData
from samleng.routing.domain.model import Directory, Office


@dataclass(frozen=True)
class RoutingDecision:
    """The office chosen, the rule that chose it, and an explanation in both languages."""

    office: Office
    rule: str
    explanation_en: str
    explanation_km: str
    directory_version: str


def pick_office(submission: SubmittedData, directory: Directory) -> RoutingDecision:
    """The commune office of the case's commune; the national team if there is none."""
    commune = submission.location.commune_code
    office = directory.commune_office(commune)
    if office is not None:
        return RoutingDecision(
            office=office,
            rule="commune-office",
            explanation_en="The commune/sangkat office handles cases from its commune.",
            explanation_km="រដ្ឋបាលឃុំ/សង្កាត់ ដោះស្រាយករណីក្នុងឃុំ/សង្កាត់របស់ខ្លួន។",
            directory_version=directory.version,
        )
    return RoutingDecision(
        office=directory.national_team,
        rule="no-local-office",
        explanation_en=(
            "No local office is on record for this commune; the national team handles it."
        ),
        explanation_km="មិនមានការិយាល័យមូលដ្ឋានសម្រាប់ឃុំនេះទេ ក្រុមការងារថ្នាក់ជាតិនឹងដោះស្រាយ។",
        directory_version=directory.version,
    )
