"""Attachments for the office: metadata in the case view, bytes for its staff only."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from services.intake.tests.integration.officer.support import officer_desk

pytestmark = pytest.mark.integration


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color=(200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


async def test_office_staff_download_what_the_citizen_attached(officer_env: Any, amqp: Any) -> None:
    async with officer_desk(officer_env, amqp) as desk:
        complaint_id = await desk.routed_case()
        code = desk.codes[complaint_id]
        sent = await desk.http.post(
            f"/v1/complaints/{code}/attachments",
            files={"file": ("receipt.png", photo(), "image/png")},
        )
        assert sent.status_code == 200, sent.text
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
