"""Attachments over real HTTP into real GridFS: sniffed by content, cleaned, size-limited."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest
from PIL import Image, PngImagePlugin

from samleng.intake.app import bootstrap, create_app
from services.intake.tests.files import (
    AUTHOR,
    PRODUCER,
    XMP_CREATOR,
    XMP_TOOL,
    pdf,
    upload,
)
from services.intake.tests.integration.citizen.helpers import collection
from services.intake.tests.integration.shared import VALID, intake_settings
from tests.support import running

pytestmark = pytest.mark.integration

MAKE, MODEL = "SecretPhoneMaker", "ReporterPhone-X1"


def photo_with_gps() -> bytes:
    """A JPEG whose EXIF names the phone and the place it was taken (Phnom Penh)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = MAKE
    exif[0x0110] = MODEL
    exif[0x0112] = 6  # orientation: rotate 90° to be upright
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (11.0, 33.0, 44.0)
    gps[3], gps[4] = "E", (104.0, 55.0, 6.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Sok Dara")
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


async def test_photo_metadata_is_stripped_before_storage(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
    service: Any = bootstrap(settings)  # its ports, as the routes see them
    app = service.app
    original = photo_with_gps()
    assert MAKE.encode() in original  # the test photo really carries identifying data
    async with running(app) as http:
        code = (await http.post("/v1/complaints", json=VALID)).json()["tracking_code"]
        answer = await upload(http, code, "receipt.jpg", original, "image/jpeg")
        assert answer.status_code == 200, answer.text
        assert answer.json()["attachments"] == 1
        png = await upload(http, code, "note.png", png_with_text(), "image/png")
        assert png.status_code == 200

        [case] = await collection(settings, "cases")
        first, second = case["attachments"]
        stored = await service.ports.attachments.read(first["attachment_id"])
        stored_png = await service.ports.attachments.read(second["attachment_id"])
    assert first["content_type"] == "image/jpeg" and second["content_type"] == "image/png"
    assert MAKE.encode() not in stored and MODEL.encode() not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert len(image.getexif()) == 0
        assert image.getexif().get_ifd(0x8825) == {}
        assert image.size == (48, 64)  # turned upright before the orientation tag was dropped
    assert b"Sok Dara" not in stored_png
    files = await collection(settings, "attachments.files")
    assert {f["_id"] for f in files} == {first["attachment_id"], second["attachment_id"]}
    assert len(first["attachment_id"]) == 32  # random, not a guessable counter


async def test_files_are_judged_by_content_and_size(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False, max_attachment_bytes=20_000)
    async with running(create_app(settings)) as http:
        code = (await http.post("/v1/complaints", json=VALID)).json()["tracking_code"]
        disguised = await upload(http, code, "photo.jpg", b"MZ\x90\x00 a program", "image/jpeg")
        assert disguised.status_code == 415
        assert disguised.headers["content-type"] == "application/problem+json"
        assert "JPEG" in disguised.json()["detail_en"]

        damaged = await upload(http, code, "x.png", b"\x89PNG\r\n\x1a\n broken", "image/png")
        assert damaged.status_code == 422
        assert damaged.json()["type"].endswith("unreadable-file")

        document = await upload(http, code, "receipt", pdf(metadata=False), "x/y")
        assert document.status_code == 200, document.text

        big = await upload(http, code, "big.pdf", b"%PDF-1.4\n" + b"0" * 30_000, "application/pdf")
        assert big.status_code == 413
        assert big.headers["content-type"] == "application/problem+json"

        no_route = await http.get(f"/v1/complaints/{code}/attachments")
        assert no_route.status_code == 405  # citizens never download attachments
        assert no_route.headers["content-type"] == "application/problem+json"
        assert no_route.json()["detail"] == no_route.json()["detail_km"]
    [case] = await collection(settings, "cases")
    assert [a["content_type"] for a in case["attachments"]] == ["application/pdf"]
    assert len(await collection(settings, "attachments.files")) == 1


async def test_attachments_per_case_are_limited(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False, max_attachments=1)
    document = pdf()
    async with running(create_app(settings)) as http:
        code = (await http.post("/v1/complaints", json=VALID)).json()["tracking_code"]
        assert (await upload(http, code, "a.pdf", document, "application/pdf")).status_code == 200
        second = await upload(http, code, "b.pdf", document, "application/pdf")
        assert second.status_code == 409
        assert second.json()["type"].endswith("too-many-attachments")
    assert len(await collection(settings, "attachments.files")) == 1  # the refused one is gone


async def test_pdf_author_producer_and_xmp_are_stripped_before_storage(env: Any) -> None:
    settings = intake_settings(env, relay_enabled=False)
    service: Any = bootstrap(settings)
    original = pdf()
    for secret in (AUTHOR, PRODUCER, XMP_CREATOR, XMP_TOOL):
        assert secret.encode() in original  # the test PDF really carries them
    async with running(service.app) as http:
        code = (await http.post("/v1/complaints", json=VALID)).json()["tracking_code"]
        answer = await upload(http, code, "receipt.pdf", original, "application/pdf")
        assert answer.status_code == 200, answer.text
        [case] = await collection(settings, "cases")
        [attached] = case["attachments"]
        stored = await service.ports.attachments.read(attached["attachment_id"])
    assert attached["content_type"] == "application/pdf"
    for secret in (AUTHOR, PRODUCER, XMP_CREATOR, XMP_TOOL, "xmpmeta"):
        assert secret.encode() not in stored, secret
    with pikepdf.open(io.BytesIO(stored)) as cleaned:
        assert "/Info" not in cleaned.trailer
        assert "/Metadata" not in cleaned.Root
        assert len(cleaned.pages) == 1  # still the document that was sent


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-<html><body><script>alert(document.cookie)</script></body></html>",
        b"%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF\n",
    ],
    ids=["html-after-magic", "no-pdf-structure"],
)
async def test_a_file_that_only_starts_like_a_pdf_is_refused(env: Any, content: bytes) -> None:
    settings = intake_settings(env, relay_enabled=False)
    async with running(create_app(settings)) as http:
        code = (await http.post("/v1/complaints", json=VALID)).json()["tracking_code"]
        answer = await upload(http, code, "receipt.pdf", content, "application/pdf")
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("unreadable-file")
    assert answer.json()["detail_km"] and "PDF" in answer.json()["detail_en"]
    assert await collection(settings, "attachments.files") == []
