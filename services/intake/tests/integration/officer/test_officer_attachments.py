"""Attachments for the office: metadata in the case view, bytes for its staff only."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image

from samleng.intake.domain.retention import Erasure
from services.intake.tests.integration.officer.support import officer_desk

pytestmark = pytest.mark.integration


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color=(200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


async def routed_case_with_photo(desk: Any) -> str:
    """A case routed to the office, with a photo the citizen attached."""
    complaint_id: str = await desk.routed_case()
    sent = await desk.http.post(
        f"/v1/complaints/{desk.codes[complaint_id]}/attachments",
        files={"file": ("receipt.png", photo(), "image/png")},
    )
    assert sent.status_code == 200, sent.text
    return complaint_id


async def test_office_staff_download_what_the_citizen_attached(officer_env: Any, amqp: Any) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        complaint_id = await routed_case_with_photo(desk)
        officer = desk.officer()
        [meta] = (await officer.case(complaint_id))["attachments"]
        assert meta["content_type"] == "image/png" and meta["size"] > 0
        download = await officer.call("GET", meta["download"])
        assert download.status_code == 200
        assert download.headers["content-type"] == "image/png"
        # never rendered inline, never sniffed into another type (issue 13, item 7)
        assert download.headers["x-content-type-options"] == "nosniff"
        disposition = download.headers["content-disposition"]
        assert disposition == f'attachment; filename="{meta["attachment_id"]}.png"'
        assert download.headers["cache-control"] == "no-store"
        assert Image.open(io.BytesIO(download.content)).size == (8, 8)

        analyst = desk.as_user(["national_analyst"])
        assert (await analyst.call("GET", meta["download"])).status_code == 403
        outsider = desk.officer("commune:170202")
        assert (await outsider.call("GET", meta["download"])).status_code == 404
        missing = meta["download"].rsplit("/", 1)[0] + "/0123456789abcdef"
        assert (await officer.call("GET", missing)).status_code == 404


async def test_an_attachment_erased_by_retention_answers_410(officer_env: Any, amqp: Any) -> None:
    async with officer_desk(officer_env, amqp, retention_enabled=False) as desk:
        complaint_id = await routed_case_with_photo(desk)
        erased = await desk.service.ports.retention.erase(
            complaint_id, Erasure.ATTACHMENTS, datetime.now(UTC)
        )
        assert erased == 1
        officer = desk.officer()
        [meta] = (await officer.case(complaint_id))["attachments"]
        gone = await officer.call("GET", meta["download"], headers={"Accept-Language": "en"})
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    assert "retention policy" in gone.json()["detail"]
