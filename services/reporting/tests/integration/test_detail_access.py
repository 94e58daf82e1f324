"""Full detail over real RabbitMQ and MongoDB is for signed-in officers, each within their
scope: national analysts anywhere, officials in the areas of their offices.

Runs on the generated history of ``conftest.delivered`` (communes 120101, 120102, 120201,
170201, 170202 and 010201); the figures an official gets are checked against the
generator's ground truth for their area, so an area filter that let other cases in fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from samleng.common.events import ComplaintSubmitted
from samleng.devstack.issuer import DevIssuer
from samleng.reporting.app import create_app
from services.reporting.tests.integration import expected
from services.reporting.tests.integration.delivery import PERIODS
from services.reporting.tests.integration.helpers import Truth
from tests.support import running

pytestmark = pytest.mark.integration

SignIn = Callable[..., dict[str, str]]
YEAR = "2026"


@pytest.fixture
async def http(delivered: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    """Reporting, signed-in officers trusted, over the delivered history."""
    async with running(create_app(delivered["runs"][0][0])) as client:
        yield client


async def detail(http: httpx.AsyncClient, headers: dict[str, str], **area: str) -> httpx.Response:
    return await http.get("/v1/stats/detail", params={"period": YEAR, **area}, headers=headers)


def truths_in(delivered: dict[str, Any], code: str) -> list[Truth]:
    """The ground truth of the cases that happened in the area with this code."""
    commune = {
        e.complaint_id: e.data.location.commune_code
        for e in delivered["events"]
        if isinstance(e, ComplaintSubmitted)
    }
    return [t for t in delivered["truths"] if commune[t.complaint_id].startswith(code)]


def expected_status(delivered: dict[str, Any], code: str) -> dict[str, int]:
    return expected.expected_status(truths_in(delivered, code), *PERIODS[YEAR])


def status_of(answer: httpx.Response) -> dict[str, int]:
    assert answer.status_code == 200, answer.text
    return {k: v for k, v in answer.json()["figures"]["status"].items() if v}


def assert_refused(answer: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["type"].endswith(f"/{slug}")
    assert body["detail"] and body["detail_km"] and body["detail"] != body["detail_km"]
    assert "figures" not in body
    return body


async def test_a_national_analyst_sees_any_area(
    http: httpx.AsyncClient, delivered: dict[str, Any], sign_in: SignIn
) -> None:
    analyst = sign_in(["national_analyst"])
    national = await detail(http, analyst)
    assert national.json()["area"] is None
    assert status_of(national) == expected.expected_status(delivered["truths"], *PERIODS[YEAR])
    for area in ({"province": "12"}, {"district": "1702"}, {"commune": "120102"}):
        answer = await detail(http, analyst, **area)
        [code] = area.values()
        assert answer.json()["area"] == code
        assert status_of(answer) == expected_status(delivered, code)


async def test_a_district_official_sees_their_district_and_nothing_wider_or_beside(
    http: httpx.AsyncClient, delivered: dict[str, Any], sign_in: SignIn
) -> None:
    official = sign_in(["officer"], ["owso:1201"])
    own = await detail(http, official)  # no area asked: their own
    assert own.json()["area"] == "1201"
    assert status_of(own) == expected_status(delivered, "1201")
    assert status_of(await detail(http, official, district="1201")) == status_of(own)
    # a commune inside the district is inside their scope
    assert status_of(await detail(http, official, commune="120102")) == expected_status(
        delivered, "120102"
    )
    for wider_or_beside in ({"district": "1202"}, {"province": "12"}, {"district": "1702"}):
        refused = assert_refused(
            await detail(http, official, **wider_or_beside), 403, "outside-your-area"
        )
        assert refused["allowed"] == [{"district": "1201"}]
        assert "district 1201" in refused["detail"] and "1201" in refused["detail_km"]


async def test_the_whole_country_is_for_those_whose_scope_is_the_country(
    http: httpx.AsyncClient, delivered: dict[str, Any], sign_in: SignIn
) -> None:
    # an official of two districts is not given the country, nor either district unasked
    two = sign_in(["ombudsman"], ["district-ombudsman:1201", "district-ombudsman:1702"])
    asked = assert_refused(await detail(http, two), 400, "area-required")
    assert asked["allowed"] == [{"district": "1201"}, {"district": "1702"}]
    assert status_of(await detail(http, two, district="1702")) == expected_status(delivered, "1702")
    # the national team is at the top of the ladder: its area is the country
    team = sign_in(["ombudsman"], ["national:moi-team"])
    everything = expected.expected_status(delivered["truths"], *PERIODS[YEAR])
    assert status_of(await detail(http, team)) == everything


async def test_a_province_official_sees_a_district_inside_the_province(
    http: httpx.AsyncClient, delivered: dict[str, Any], sign_in: SignIn
) -> None:
    official = sign_in(["office_head"], ["owsu:17"])
    assert status_of(await detail(http, official)) == expected_status(delivered, "17")
    district = await detail(http, official, district="1702", province="17")
    assert district.json()["area"] == "1702"
    assert status_of(district) == expected_status(delivered, "1702")
    assert_refused(await detail(http, official, district="1201"), 403, "outside-your-area")


async def test_a_commune_official_sees_only_their_communes_cases(
    http: httpx.AsyncClient, delivered: dict[str, Any], sign_in: SignIn
) -> None:
    official = sign_in(["officer"], ["commune:170201"])
    answer = await detail(http, official)
    body = answer.json()
    assert body["area"] == "170201"
    start, end = PERIODS[YEAR]
    received_here = sum(
        1
        for e in delivered["events"]
        if isinstance(e, ComplaintSubmitted)
        and e.data.location.commune_code == "170201"
        and start <= e.occurred_at < end
    )
    # the district has a second commune in the data: its cases must not be counted here
    assert 0 < received_here < expected_status(delivered, "1702")["received"]
    assert body["figures"]["status"]["received"] == received_here
    assert status_of(answer) == expected_status(delivered, "170201")
    assert set(body["figures"]["breakdowns"]["commune"]) == {"170201"}
    same = await detail(http, official, province="17", district="1702", commune="170201")
    assert status_of(same) == status_of(answer)
    for beside in ({"commune": "170202"}, {"district": "1702"}):
        assert_refused(await detail(http, official, **beside), 403, "outside-your-area")


async def test_codes_that_do_not_name_one_area_are_a_bad_request(
    http: httpx.AsyncClient, sign_in: SignIn
) -> None:
    analyst = sign_in(["national_analyst"])
    wrong = assert_refused(
        await detail(http, analyst, district="1201", commune="170201"), 400, "invalid-area"
    )
    assert "commune 170201 is not in district 1201" in wrong["detail"]
    assert_refused(await detail(http, analyst, province="17", district="1201"), 400, "invalid-area")
    malformed = await detail(http, analyst, commune="1702")
    assert malformed.status_code == 422


async def test_ministries_and_admins_are_told_that_detail_is_by_area(
    http: httpx.AsyncClient, sign_in: SignIn
) -> None:
    for roles, offices in (
        (["ministry_liaison"], ["ministry:moh"]),
        (["admin"], []),
    ):
        for area in ({}, {"province": "17"}):
            refused = assert_refused(
                await detail(http, sign_in(roles, offices), **area), 403, "detail-is-by-area"
            )
            assert "/v1/open-data" in refused["detail"] and refused["allowed"] == []


async def test_without_a_valid_token_there_is_no_detail(
    http: httpx.AsyncClient, sign_in: SignIn
) -> None:
    missing = await http.get("/v1/stats/detail", params={"period": YEAR, "province": "17"})
    assert_refused(missing, 401, "unauthenticated")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    expired = sign_in(["national_analyst"], lifetime_seconds=-300)
    assert "expired" in assert_refused(await detail(http, expired), 401, "invalid-token")["detail"]
    foreign_issuer = DevIssuer.generate().token("intruder", ["national_analyst"])
    forged = {"Authorization": f"Bearer {foreign_issuer}"}
    assert_refused(await detail(http, forged), 401, "invalid-token")
    other_service = sign_in(["national_analyst"], audience="another-service")
    assert_refused(await detail(http, other_service), 401, "invalid-token")
    garbage = {"Authorization": "Bearer analyst-token-for-tests-0123456789abcdef"}
    assert_refused(await detail(http, garbage), 401, "invalid-token")


async def test_a_server_without_officer_sign_in_answers_503_but_still_publishes(
    delivered: dict[str, Any], sign_in: SignIn
) -> None:
    settings = delivered["runs"][0][0].model_copy(update={"oidc_issuer": ""})
    async with running(create_app(settings)) as http:
        refused = await detail(http, sign_in(["national_analyst"]))
        summary = await http.get("/v1/stats/summary")
    assert_refused(refused, 503, "officer-sign-in-not-configured")
    assert summary.status_code == 200 and summary.json()["received"] == 240
