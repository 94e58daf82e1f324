"""Attachments: recognised by their content, cleaned of metadata, stored in GridFS.

The file name and the client's declared type are ignored: the first bytes decide what a
file is, and only JPEG, PNG, WebP and PDF are accepted. Images are decoded and encoded
again by Pillow without EXIF, XMP, ICC comments or text chunks, so GPS positions and
device serial numbers in a photo never reach the database (the picture is first turned
upright as its EXIF orientation said). PDFs are stored as sent. Stored files are named
by a random id that only officers (issue 5) are given; citizens never download them.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile
from PIL import Image, ImageOps, UnidentifiedImageError
from pymongo.asynchronous.database import AsyncDatabase

from samleng.intake.domain.model import Attachment

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
)
_PIL_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding


class AttachmentErased(LookupError):
    """The file was erased under the retention policy (its case was closed long ago)."""


class UnacceptableFile(ValueError):
    """The file is not an accepted type, or is damaged; the message says which."""


def sniff(data: bytes) -> str | None:
    """The media type the content shows, or None if it is not one intake accepts."""
    for magic, offset, media_type in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if media_type == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return media_type
    return None


def strip_metadata(data: bytes, media_type: str) -> bytes:
    """The image re-encoded without any metadata (EXIF, XMP, comments, text chunks)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UnacceptableFile("the image has too many pixels")
            upright = ImageOps.exif_transpose(image)
            # A new image from the raw pixels alone carries none of the original's info.
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            palette = upright.getpalette() if upright.mode == "P" else None
            if palette:
                clean.putpalette(palette)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise UnacceptableFile("the image is damaged or not what its content claims") from exc
    out = io.BytesIO()
    fmt = _PIL_FORMAT[media_type]
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    clean.save(out, format=fmt, **({"quality": 90} if fmt != "PNG" else {}))
    return out.getvalue()


@dataclass(frozen=True)
class CleanFile:
    """A file ready to store: its sniffed type and cleaned bytes."""

    media_type: str
    data: bytes


def clean_upload(data: bytes) -> CleanFile:
    """Recognise a file by content and strip image metadata; UnacceptableFile otherwise."""
    media_type = sniff(data)
    if media_type is None:
        raise UnacceptableFile("only JPEG, PNG or WebP photos and PDF documents are accepted")
    if media_type in _PIL_FORMAT:
        return CleanFile(media_type, strip_metadata(data, media_type))
    return CleanFile(media_type, data)


class AttachmentStore:
    """Attachment bytes in GridFS (bucket ``attachments``), named by a random id."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name="attachments")

    async def put(self, complaint_id: str, data: bytes, now: datetime) -> Attachment:
        """Clean the upload (:func:`clean_upload`) and store it under a random id."""
        file = clean_upload(data)
        attachment_id = uuid.uuid4().hex
        await self._bucket.upload_from_stream_with_id(
            attachment_id,
            attachment_id,
            file.data,
            metadata={"complaint_id": complaint_id, "content_type": file.media_type},
        )
        return Attachment(
            attachment_id=attachment_id, content_type=file.media_type, size=len(file.data), at=now
        )

    async def read(self, attachment_id: str) -> bytes:
        """The stored bytes (for the officer side and tests); AttachmentErased once the
        retention policy erased them."""
        try:
            stream = await self._bucket.open_download_stream(attachment_id)
        except NoFile:
            raise AttachmentErased(attachment_id) from None
        return bytes(await stream.read())

    async def delete(self, attachment_id: str) -> None:
        """Remove a stored file (when its case could not record it)."""
        await self._bucket.delete(attachment_id)
