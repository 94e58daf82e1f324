"""Files the attachment tests upload, made in the test: PNGs of any size (or whose header
lies about their size) and PDFs that carry an author, a producer and XMP metadata."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pikepdf

AUTHOR, PRODUCER, XMP_CREATOR, XMP_TOOL = "Sok Dara", "SecretScanner 9", "Chan Vanna", "ScanApp-X"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, *, colour: bool = False, honest: bool = True) -> bytes:
    """A black PNG of ``width`` × ``height`` (grey or RGB), compressed to almost nothing.

    With ``honest=False`` the pixel data is a token few bytes: only the header names the
    size (a decoder would fail, or allocate it all first).
    """
    channels = 3 if colour else 1
    header = struct.pack(">IIBBBBB", width, height, 8, 2 if colour else 0, 0, 0, 0)
    if honest:
        packer = zlib.compressobj(1)
        row = b"\0" * (width * channels + 1)
        pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    else:
        pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def pdf(*, metadata: bool = True) -> bytes:
    """A one-page PDF; with ``metadata`` it names its author and producer, in the document
    information and in XMP."""
    document = pikepdf.new()
    document.add_blank_page()
    if metadata:
        with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:creator"] = [XMP_CREATOR]
            xmp["xmp:CreatorTool"] = XMP_TOOL
        # set after the XMP, which would otherwise overwrite them with its own values
        document.docinfo["/Author"] = AUTHOR
        document.docinfo["/Producer"] = PRODUCER
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def upload(http: Any, code: str, name: str, data: bytes, kind: str) -> Any:
    """POST one file to a case's attachments."""
    return await http.post(f"/v1/complaints/{code}/attachments", files={"file": (name, data, kind)})
