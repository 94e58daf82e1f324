"""Full detail never shows an office the complaints about its own conduct, and never lets
an official single out a filer by gender or age band (issue #13 item 1).

Over real RabbitMQ and MongoDB: commune 170302 has two ordinary complaints, one about the
conduct of the commune office's officials (named, handled by the district ombudsman, as
in the review: female, 18-24) and one about conduct where no office was named.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import httpx
import pytest
from pymongo import AsyncMongoClient

from samleng.common.events import (
    AgeBand,
    AssignedData,
    Category,
    ComplaintAssigned,
    ComplaintSubmitted,
    Event,
    FeedbackKind,
    Gender,
    Location,
    OfficeRef,
    SubmittedData,
)
from samleng.reporting.app import create_app
from samleng.reporting.settings import ReportingSettings
from tests.support import eventually, publish_event, running, settings_for

pytestmark = pytest.mark.integration

COMMUNE, DISTRICT = "170302", "1703"
COMMUNE_OFFICE = f"commune:{COMMUNE}"
OMBUDSMAN = f"district-ombudsman:{DISTRICT}"
SignIn = Callable[..., dict[str, str]]


def _office(office_id: str, level: str) -> OfficeRef:
    return OfficeRef(
        office_id=office_id,
        level=level,
        kind=office_id.split(":")[0],
        name_en=office_id,
        name_km=office_id,
    )


def _complaint(
    at: datetime,
    gender: Gender,
    age: AgeBand,
    handler: OfficeRef,
    *,
    about: str | None = None,
    conduct: bool = False,
) -> list[Event]:
    submitted = ComplaintSubmitted.first(
        str(uuid.uuid4()),
        producer="test",
        occurred_at=at,
        data=SubmittedData(
            kind=FeedbackKind.COMPLAINT,
            category=Category.RUDE_CONDUCT if conduct else Category.DELAY,
            location=Location(
                province_code=COMMUNE[:2], district_code=DISTRICT, commune_code=COMMUNE
            ),
            channel="sms",
            about_office_id=about,
            about_office_conduct=conduct,
            reporter_gender=gender,
            reporter_age_band=age,
        ),
    )
    assigned = ComplaintAssigned.caused_by(
        submitted,
        producer="test",
        occurred_at=at + timedelta(minutes=5),
        data=AssignedData(
            office=handler, rule="r", explanation_en="e", explanation_km="ក", directory_version="v"
        ),
    )
    return [submitted, assigned]


@pytest.fixture(scope="module")
async def reporting(
    stack: Any, reporting_vhost: Callable[[], str]
) -> AsyncIterator[httpx.AsyncClient]:
    """Reporting with the four complaints of commune 170302 folded."""
    day = datetime.now(UTC).replace(month=1, day=15, hour=3)
    commune_office = _office(COMMUNE_OFFICE, "commune")
    ombudsman = _office(OMBUDSMAN, "district")
    events = [
        *_complaint(day, Gender.MALE, AgeBand.FROM_35_TO_44, commune_office),
        *_complaint(day, Gender.MALE, AgeBand.FROM_45_TO_59, commune_office),
        # the review's case: about the commune office's own officials
        *_complaint(
            day, Gender.FEMALE, AgeBand.FROM_18_TO_24, ombudsman, about=COMMUNE_OFFICE, conduct=True
        ),
        # about conduct, no office named: routing took the office serving the place
        *_complaint(day, Gender.OTHER, AgeBand.UNDER_18, ombudsman, conduct=True),
    ]
    amqp_url = reporting_vhost()
    settings = settings_for(stack, ReportingSettings, "reporting", amqp_url=amqp_url)
    async with running(create_app(settings)) as http:
        connection = await aio_pika.connect_robust(amqp_url)
        channel = await connection.channel(publisher_confirms=True)
        for event in events:
            await publish_event(channel, event)
        await connection.close()
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            settings.mongo_url.get_secret_value()
        )
        cases = mongo[settings.mongo_database]["cases"]

        async def folded() -> bool:
            return await cases.count_documents({"n_events": 2}) == 4

        await eventually(folded, timeout=60)
        await mongo.close()
        yield http


async def _detail(http: httpx.AsyncClient, headers: dict[str, str], **area: str) -> Any:
    answer = await http.get(
        "/v1/stats/detail", params={"period": str(datetime.now(UTC).year), **area}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["figures"]


async def test_the_accused_office_never_sees_complaints_about_its_own_conduct(
    reporting: httpx.AsyncClient, sign_in: SignIn
) -> None:
    mine = await _detail(reporting, sign_in(["officer"], [COMMUNE_OFFICE]), commune=COMMUNE)
    assert mine["status"]["received"] == 2  # the two ordinary complaints only
    assert set(mine["breakdowns"]["office"]) == {COMMUNE_OFFICE}
    assert OMBUDSMAN not in mine["sla_by_office"]


async def test_nor_in_a_larger_area_its_officials_may_see(
    reporting: httpx.AsyncClient, sign_in: SignIn
) -> None:
    both = sign_in(["officer"], [COMMUNE_OFFICE, f"owso:{DISTRICT}"])
    district = await _detail(reporting, both, district=DISTRICT)
    assert district["status"]["received"] == 2
    assert OMBUDSMAN not in district["breakdowns"]["office"]


async def test_the_ombudsman_who_judges_them_and_other_offices_see_what_is_theirs(
    reporting: httpx.AsyncClient, sign_in: SignIn
) -> None:
    judge = await _detail(reporting, sign_in(["ombudsman"], [OMBUDSMAN]), commune=COMMUNE)
    assert judge["status"]["received"] == 4
    # the district's one-window office is not the one named; it may be the one not named
    owso = await _detail(reporting, sign_in(["officer"], [f"owso:{DISTRICT}"]), commune=COMMUNE)
    assert owso["status"]["received"] == 3
    analyst = await _detail(reporting, sign_in(["national_analyst"]), commune=COMMUNE)
    assert analyst["status"]["received"] == 4
    assert analyst["breakdowns"]["gender"]["female"]["received"] == 1  # analysts: unsuppressed


async def test_an_official_cannot_single_out_a_filer_by_gender_or_age_band(
    reporting: httpx.AsyncClient, sign_in: SignIn
) -> None:
    judge = await _detail(reporting, sign_in(["ombudsman"], [OMBUDSMAN]), commune=COMMUNE)
    for dimension, values in (("gender", Gender), ("age_band", AgeBand)):
        rows = judge["breakdowns"][dimension]
        assert set(rows) == {v.value for v in values} | {"unknown"}  # every value listed
        cells = [v for row in rows.values() for v in row.values()]
        assert all(v is None or v == 0 or v >= 5 for v in cells), rows
        # a lone hidden cell would follow from the public total: never one per column
        for column in ("received", "open", "resolved", "ended_otherwise"):
            hidden = [k for k, row in rows.items() if row[column] is None]
            assert len(hidden) != 1, (dimension, column, rows)
        assert rows["female" if dimension == "gender" else "18_24"]["received"] is None
