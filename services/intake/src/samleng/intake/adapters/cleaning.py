"""What an uploaded file is, and the file without anything that could identify its sender.

Two steps, so that the cheap one guards the expensive one::

    media_type = inspect(data, max_pixels)  # magic bytes and headers only: never decodes
    cleaned = clean(data, media_type)       # decodes: run it in a worker process

:func:`inspect` reads the first bytes and, for an image, only its header (Pillow's
``Image.open`` is lazy: it identifies the file and reads its size, not its pixels), so
a decompression bomb (a small file that decodes to billions of pixels) is refused
before a single pixel is decoded. :func:`clean` then re-encodes an image from its pixels
alone (no EXIF, XMP, ICC comments or text chunks, so no GPS position or phone serial
survives) and rewrites a PDF with qpdf (pikepdf) without its document information
(/Author, /Producer, ...), XMP metadata, embedded files or scripts. Whatever cannot be
read or cleaned is refused with :class:`UnacceptableFile`.

This module is what the worker processes load (with Pillow and pikepdf, preloaded). The
serving process imports it too, but Pillow only when it inspects its first image and
pikepdf never: together they would hold about 12 MB of its memory from the start.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
)
_PIL_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
#: keys removed from every PDF object: XMP, application data, automatic actions, embedded files
_PDF_OBJECT_KEYS = ("/Metadata", "/PieceInfo", "/AA", "/EF")
_PDF_NAME_TREES = ("/EmbeddedFiles", "/JavaScript")


class UnacceptableFile(ValueError):
    """The file is refused; ``slug`` says why, ``en``/``km`` say what to send instead.

    ``unsupported-file`` (not a type intake takes), ``image-too-large`` (its header names
    too many pixels) or ``unreadable-file`` (damaged, locked, not what it claims). A plain
    class, so that it crosses from a worker process intact.
    """

    def __init__(self, slug: str, en: str, km: str) -> None:
        super().__init__(slug, en, km)
        self.slug, self.en, self.km = slug, en, km

    def __str__(self) -> str:
        return self.en


def _unsupported() -> UnacceptableFile:
    return UnacceptableFile(
        "unsupported-file",
        "only JPEG, PNG or WebP photos and PDF documents are accepted",
        "ទទួលយកតែរូបថត JPEG, PNG, WebP ឬឯកសារ PDF ប៉ុណ្ណោះ",
    )


def _damaged(what_en: str = "file", what_km: str = "ឯកសារ") -> UnacceptableFile:
    return UnacceptableFile(
        "unreadable-file",
        f"the {what_en} is damaged or not what its content claims; send it again or take a photo",
        f"{what_km}ខូច ឬមិនមែនជាអ្វីដែលខ្លឹមសាររបស់វាបង្ហាញ សូមផ្ញើម្តងទៀត ឬថតរូប",
    )


def sniff(data: bytes) -> str | None:
    """The media type the content shows, or None if it is not one intake accepts."""
    for magic, offset, media_type in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if media_type == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return media_type
    return None


def inspect(data: bytes, max_pixels: int) -> str:
    """The file's media type, judged from its first bytes and headers without decoding it.

    Refuses (:class:`UnacceptableFile`) a type intake does not take, a PDF whose header is
    not a PDF version (``%PDF-<html>``), an image whose header is unreadable or names more
    than ``max_pixels`` pixels.
    """
    media_type = sniff(data)
    if media_type is None:
        raise _unsupported()
    if media_type == "application/pdf":
        if not _PDF_HEADER.match(data):
            raise _damaged("PDF", "PDF ")
        return media_type
    from PIL import Image

    try:
        if media_type == "image/webp":
            # libwebp allocates the whole canvas when it opens a file: read the header here
            width, height = _webp_size(data)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[media_type]]) as image:
                    width, height = image.size
    except Image.DecompressionBombError:
        raise _too_many_pixels(
            "the image has far too many pixels", "រូបភាពមានភីកសែលច្រើនពេក", max_pixels
        ) from None
    except Exception as exc:  # Pillow raises many kinds on a malformed header
        raise _damaged("image", "រូបភាព") from exc
    if width * height > max_pixels:
        raise _too_many_pixels(
            f"the image has {width}×{height} pixels",
            f"រូបភាពមាន {width}×{height} ភីកសែល",
            max_pixels,
        )
    return media_type


def _webp_size(data: bytes) -> tuple[int, int]:
    """The canvas size a WebP header names (RFC 9649), without decoding anything."""
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a" and len(data) >= 30:
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8X" and len(data) >= 30:
        return (
            int.from_bytes(data[24:27], "little") + 1,
            int.from_bytes(data[27:30], "little") + 1,
        )
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        (bits,) = struct.unpack_from("<I", data, 21)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise ValueError("not a WebP header")


def _too_many_pixels(found_en: str, found_km: str, max_pixels: int) -> UnacceptableFile:
    megapixels = f"{max_pixels / 1_000_000:g}"
    return UnacceptableFile(
        "image-too-large",
        f"{found_en}; send one of at most {megapixels} megapixels "
        "(for example a photo taken at a lower resolution, or a screenshot)",
        f"{found_km} សូមផ្ញើរូបភាពមិនលើសពី {megapixels} មេហ្គាភីកសែល",
    )


def clean(data: bytes, media_type: str) -> bytes:
    """The file without metadata (CPU and memory heavy: call it after :func:`inspect`).

    Whatever goes wrong on a hostile or broken file is an :class:`UnacceptableFile`.
    """
    try:
        if media_type == "application/pdf":
            return _clean_pdf(data)
        return _clean_image(data, media_type)
    except UnacceptableFile:
        raise
    except Exception as exc:  # MemoryError, RecursionError, a library's own error types
        raise _damaged() from exc


def _clean_image(data: bytes, media_type: str) -> bytes:
    """The image re-encoded from its pixels alone, turned upright as its EXIF said."""
    from PIL import Image, ImageOps

    fmt = _PIL_FORMAT[media_type]
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            ImageOps.exif_transpose(image, in_place=True)  # no second copy of the pixels
            # A new image from the pixels alone carries none of the original's info.
            clean_image = Image.new(image.mode, image.size)
            clean_image.paste(image)
            palette = image.getpalette() if image.mode == "P" else None
            if palette:
                clean_image.putpalette(palette)
    except Exception as exc:  # truncated data, bad chunks, unsupported modes
        raise _damaged("image", "រូបភាព") from exc
    if fmt == "JPEG" and clean_image.mode not in ("RGB", "L"):
        clean_image = clean_image.convert("RGB")
    out = io.BytesIO()
    clean_image.save(out, format=fmt, **({"quality": 90} if fmt != "PNG" else {}))
    return out.getvalue()


def _clean_pdf(data: bytes) -> bytes:
    """The PDF rewritten by qpdf without document info, XMP, embedded files or scripts.

    Streams are copied without decoding (a compressed bomb stays compressed); the file's
    /ID is replaced by one computed from the cleaned content.
    """
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) == 0:
                raise _damaged("PDF", "PDF ")
            _strip_pdf(pdf)
            out = io.BytesIO()
            pdf.save(
                out,
                preserve_pdfa=False,
                fix_metadata_version=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                encryption=False,
                deterministic_id=True,
            )
    except pikepdf.PasswordError as exc:
        raise UnacceptableFile(
            "unreadable-file",
            "the PDF is locked with a password; remove the password or send a photo of it",
            "ឯកសារ PDF ត្រូវបានចាក់សោដោយពាក្យសម្ងាត់ សូមដកពាក្យសម្ងាត់ចេញ ឬផ្ញើរូបថតរបស់វា",
        ) from exc
    except pikepdf.PdfError as exc:
        raise _damaged("PDF", "PDF ") from exc
    return out.getvalue()


def _strip_pdf(pdf: pikepdf.Pdf) -> None:
    import pikepdf

    for key in ("/Info", "/ID"):
        if key in pdf.trailer:
            del pdf.trailer[key]
    root = pdf.Root
    if "/OpenAction" in root:
        del root["/OpenAction"]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for tree in _PDF_NAME_TREES:
            if tree in names:
                del names[tree]
    for obj in pdf.objects:
        _scrub(obj)


def _scrub(obj: object) -> None:
    """Remove the keys from a dictionary and the direct objects it holds (indirect ones are
    scrubbed as members of ``pdf.objects``)."""
    import pikepdf

    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key in _PDF_OBJECT_KEYS:
            if key in obj:
                del obj[key]
        children = list(obj.values())
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return
    for child in children:
        if not getattr(child, "is_indirect", True):
            _scrub(child)
