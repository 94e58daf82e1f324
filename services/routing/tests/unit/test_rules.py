"""The routing rules, table-driven over the bundled pilot directory."""

from datetime import UTC, datetime

import pytest

from samleng.common.calendar import WorkingCalendar
from samleng.common.events import (
    Category,
    ComplaintSubmitted,
    FeedbackKind,
    Location,
    SubmittedData,
)
from samleng.common.reference import service_catalogue
from samleng.routing.adapters.directory import bundled_directory
from samleng.routing.domain.decisions import Context, on_submitted
from samleng.routing.domain.rules import (
    MoveRefused,
    forward_target,
    ombudsman_above,
    pick_office,
    transfer_target,
)

pytestmark = pytest.mark.unit

SIEM_REAP = "170201"  # Chub Ta Trav, Angkor Thum, Siem Reap: in the pilot
KOH_KONG = "090101"  # Koh Kong province: not yet served


def submission(commune: str = SIEM_REAP, **fields: object) -> SubmittedData:
    location = Location(province_code=commune[:2], district_code=commune[:4], commune_code=commune)
    values: dict[str, object] = {
        "kind": FeedbackKind.COMPLAINT,
        "category": Category.DELAY,
        "location": location,
    }
    values.update(fields)
    return SubmittedData.model_validate(values)


def decide(data: SubmittedData) -> tuple[str, str, bool]:
    decision = pick_office(data, bundled_directory(), service_catalogue())
    return decision.office.office_id, decision.rule, decision.not_yet_served


@pytest.mark.parametrize(
    ("data", "office", "rule"),
    [
        (submission(), "commune:170201", "commune-office"),
        (submission(service_code="civil.birth_certificate"), "commune:170201", "service-provider"),
        (
            submission(service_code="police.residence_certificate"),
            "commune-police:170201",
            "service-provider",
        ),
        (
            submission(service_code="police.national_id_card"),
            "district-police:1702",
            "service-provider",
        ),
        (
            submission(service_code="business.small_business_licence"),
            "owso:1702",
            "service-provider",
        ),
        (
            submission(service_code="utilities.electricity_connection"),
            "department:17:mme",
            "service-provider",
        ),
        (submission(service_code="no.such_service"), "commune:170201", "commune-office"),
        (submission(about_office_id="owsu:17"), "owsu:17", "named-office"),
        # conflict of interest: the ombudsman one level above the office complained about
        (
            submission(about_office_id="commune:170201", about_office_conduct=True),
            "district-ombudsman:1702",
            "conflict-of-interest",
        ),
        (
            submission(about_office_id="owso:1702", about_office_conduct=True),
            "provincial-ombudsman:17",
            "conflict-of-interest",
        ),
        (
            submission(about_office_id="department:17:mme", about_office_conduct=True),
            "national:moi-team",
            "conflict-of-interest",
        ),
        (
            # conduct of the provider's own officials, office not named
            submission(service_code="business.small_business_licence", about_office_conduct=True),
            "provincial-ombudsman:17",
            "conflict-of-interest",
        ),
        (submission(KOH_KONG), "national:moi-team", "not-yet-served"),
        (submission("999999"), "national:moi-team", "unknown-area"),
        # a real commune given with the wrong district is not trusted either
        (
            SubmittedData(
                kind=FeedbackKind.COMPLAINT,
                category=Category.DELAY,
                location=Location(province_code="17", district_code="1701", commune_code=SIEM_REAP),
            ),
            "national:moi-team",
            "unknown-area",
        ),
    ],
)
def test_the_office_that_must_act(data: SubmittedData, office: str, rule: str) -> None:
    chosen, used, not_served = decide(data)
    assert (chosen, used) == (office, rule)
    assert not_served == (rule == "not-yet-served")


def test_every_office_type_is_in_the_pilot_directory() -> None:
    directory = bundled_directory()
    kinds = {o.kind for o in directory.offices.values()}
    assert kinds >= {
        "commune_office", "commune_police_post", "owso", "police_post", "district_ombudsman",
        "owsu", "provincial_ombudsman", "provincial_department", "ministry", "national_team",
    }  # fmt: skip
    assert len(directory.served_provinces) == 10 and "17" in directory.served_provinces
    assert len(directory.commune_offices) > 1600


@pytest.mark.parametrize(
    ("office", "above"),
    [
        ("commune:170201", "district-ombudsman:1702"),
        ("commune-police:170201", "district-ombudsman:1702"),
        ("district-ombudsman:1702", "provincial-ombudsman:17"),
        ("owso:1702", "provincial-ombudsman:17"),
        ("provincial-ombudsman:17", "national:moi-team"),
        ("department:17:moh", "national:moi-team"),
        ("ministry:moh", "national:moi-team"),
        ("national:moi-team", None),
    ],
)
def test_the_escalation_ladder(office: str, above: str | None) -> None:
    directory = bundled_directory()
    found = ombudsman_above(directory, directory.offices[office])
    assert (found.office_id if found else None) == above


def test_forwarding_goes_to_the_ministry_office_of_the_province() -> None:
    directory = bundled_directory()
    assert forward_target(directory, "17", "moh").office_id == "department:17:moh"
    assert forward_target(directory, "09", "moh").office_id == "ministry:moh"  # not served
    with pytest.raises(MoveRefused, match="unknown ministry"):
        forward_target(directory, "17", "mars")
    with pytest.raises(MoveRefused, match="transfer"):
        forward_target(directory, "17", "moi")


def test_transfers_need_a_known_other_office() -> None:
    directory = bundled_directory()
    here = directory.offices["commune:170201"]
    assert transfer_target(directory, "commune:170202", here).office_id == "commune:170202"
    for bad, why in [(None, "needs to_office_id"), ("commune:000000", "unknown office"),
                     ("commune:170201", "already")]:  # fmt: skip
        with pytest.raises(MoveRefused, match=why):
            transfer_target(directory, bad, here)


def test_an_assignment_explains_itself_and_carries_deadlines() -> None:
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10:00 in Phnom Penh
    ctx = Context(bundled_directory(), service_catalogue(), WorkingCalendar(), now)
    cause = ComplaintSubmitted.first("c-1", producer="intake", data=submission(KOH_KONG))
    case, event = on_submitted(cause, ctx)
    assert event.data.not_yet_served and "Koh Kong" in event.data.explanation_en
    assert event.data.explanation_km and event.data.directory_version == "pilot-2026.1"
    assert event.data.deadlines is not None and event.data.deadlines.sla_rule == "default"
    assert event.sequence == 2 and case.office.office_id == "national:moi-team"
    again = on_submitted(cause, ctx)[1]
    assert again.event_id == event.event_id and again.data == event.data
