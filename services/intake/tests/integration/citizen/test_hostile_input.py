"""Hostile input gets a problem that says what to fix, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from samleng.intake.app import create_app
from services.intake.tests.integration.citizen.helpers import collection
from services.intake.tests.integration.shared import VALID, intake_settings
from tests.support import running

pytestmark = pytest.mark.integration

#: header values that are not UTF-8 (HTTP allows any octet; they decode as latin-1)
BROKEN_HEADERS = [
    {"accept-language": b"\xff\xfe km"},
    {"accept-language": b"en;q=\xe9"},
    {"user-agent": b"\xc3\x28 Bot/1.0 \xff"},
]


@pytest.mark.parametrize("headers", BROKEN_HEADERS)
async def test_headers_that_are_not_utf8_never_give_500(env: Any, headers: Any) -> None:
    settings = intake_settings(env, relay_enabled=False, max_request_bytes=4096)
    async with running(create_app(settings)) as http:
        submitted = await http.post("/v1/complaints", json=VALID, headers=headers)
        code = submitted.json()["tracking_code"]
        answers = [
            submitted,
            await http.get(f"/v1/complaints/{code}", headers=headers),
            await http.get("/v1/complaints/not-a-code", headers=headers),
            await http.get("/v1/services", headers=headers),
            await http.get("/open311/v2/services.json", headers=headers),
            await http.get("/v1/officer/inbox", headers=headers),
            await http.post(
                "/v1/complaints", json={**VALID, "description": "x" * 5000}, headers=headers
            ),
        ]
    assert [a.status_code for a in answers] == [202, 200, 400, 200, 200, 401, 413]
    for problem in answers[2::4]:
        assert problem.headers["content-type"] == "application/problem+json"
        assert problem.json()["detail"] in (
            problem.json()["detail_en"],
            problem.json()["detail_km"],
        )


@pytest.mark.parametrize(
    "description",
    [
        "\u200b\u200b\u200b",  # zero-width spaces
        "\u200b \u200c\u200d\u2060\ufeff\u00ad",  # joiners, word joiner, BOM, soft hyphen
        "\u202e\u2066\u3164\u2800",  # bidi controls, Hangul filler, Braille blank
        "\u17c6\u17cb",  # Khmer signs with no consonant to sit on
    ],
)
async def test_a_description_that_shows_nothing_is_refused_naming_the_field(
    env: Any, description: str
) -> None:
    settings = intake_settings(env, relay_enabled=False)
    async with running(create_app(settings)) as http:
        answer = await http.post(
            "/v1/complaints",
            json={**VALID, "description": description},
            headers={"Accept-Language": "en"},
        )
        khmer = await http.post(
            "/v1/complaints",
            json={**VALID, "description": "\u200bមន្ត្រី\u200bទារ\u200bប្រាក់\u200b"},
        )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == "description"
    assert "no visible text" in answer.json()["detail"]
    assert khmer.status_code == 202  # Khmer's zero-width word breaks inside a text stay
    stored = {doc["description"] for doc in await collection(settings, "cases")}
    assert "មន្ត្រី\u200bទារ\u200bប្រាក់" in stored  # trimmed at the ends only
    assert not any(text.strip("\u200b\u200c\u200d\u2060\ufeff\u00ad ") == "" for text in stored)
