"""Judging and cleaning uploads, without I/O: headers decide before anything is decoded."""

from __future__ import annotations

import io
import pickle

import pikepdf
import pytest
from PIL import Image

from samleng.intake.adapters.cleaning import UnacceptableFile, clean, inspect
from services.intake.tests.files import AUTHOR, PRODUCER, pdf, png

pytestmark = pytest.mark.unit


def test_an_image_is_judged_by_its_header_alone() -> None:
    assert inspect(png(4000, 3000, honest=False), 25_000_000) == "image/png"
    with pytest.raises(UnacceptableFile) as refused:
        inspect(png(6300, 6300, honest=False), 25_000_000)
    assert refused.value.slug == "image-too-large" and "6300×6300" in refused.value.en
    with pytest.raises(UnacceptableFile) as bomb:  # past Pillow's own ceiling
        inspect(png(100_000, 100_000, honest=False), 25_000_000)
    assert bomb.value.slug == "image-too-large"


def test_a_pdf_header_must_name_a_version() -> None:
    assert inspect(b"%PDF-1.7\n...", 1_000_000) == "application/pdf"
    with pytest.raises(UnacceptableFile) as refused:
        inspect(b"%PDF-<html><script>alert(1)</script>", 1_000_000)
    assert refused.value.slug == "unreadable-file"


def test_a_cleaned_pdf_has_no_document_info_or_xmp() -> None:
    cleaned = clean(pdf(), "application/pdf")
    assert AUTHOR.encode() not in cleaned and PRODUCER.encode() not in cleaned
    with pikepdf.open(io.BytesIO(cleaned)) as document:
        assert "/Info" not in document.trailer and "/Metadata" not in document.Root


def test_a_locked_pdf_is_refused() -> None:
    document = pikepdf.new()
    document.add_blank_page()
    out = io.BytesIO()
    document.save(out, encryption=pikepdf.Encryption(owner="o", user="secret"))
    with pytest.raises(UnacceptableFile, match="password"):
        clean(out.getvalue(), "application/pdf")


def test_a_refusal_crosses_from_a_worker_process_intact() -> None:
    refused = UnacceptableFile("image-too-large", "too big", "ធំពេក")
    copy = pickle.loads(pickle.dumps(refused))  # noqa: S301 - how a worker sends it back
    assert (copy.slug, copy.en, copy.km, str(copy)) == (
        "image-too-large",
        "too big",
        "ធំពេក",
        "too big",
    )


def test_a_cleaned_image_keeps_its_pixels() -> None:
    cleaned = clean(png(40, 30, colour=True), "image/png")
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (40, 30) and image.getpixel((0, 0)) == (0, 0, 0)


def test_a_webp_is_measured_from_its_header_before_libwebp_sees_it() -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 200)).save(out, format="WEBP", lossless=True)
    assert inspect(out.getvalue(), 1_000_000) == "image/webp"
    lossy = io.BytesIO()
    Image.new("RGB", (300, 200)).save(lossy, format="WEBP", quality=50)
    assert inspect(lossy.getvalue(), 1_000_000) == "image/webp"
    # a VP8X header naming a 16384 × 16384 canvas (what libwebp would allocate at once)
    size = (16383).to_bytes(3, "little") * 2
    header = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00" + size
    with pytest.raises(UnacceptableFile) as refused:
        inspect(header + b"\x00" * 64, 25_000_000)
    assert "16384×16384" in refused.value.en
