"""What a file is, told from its first bytes, in words a clerk knows.

The desk takes PDF, PNG and JPEG documents (:data:`ACCEPTED`). Anything else is
refused with :class:`FileTypeRefusedError`, whose message names what the file is
("This file is a Word document (.docx). Upload a PDF, PNG or JPEG.") in the
reader's language, never a list of media types. The type comes from the bytes,
not from the name or the type the browser claims.
"""

from __future__ import annotations

from typing import Final

from visadesk.desk.errors import DeskError
from visadesk.i18n import t

__all__ = ["ACCEPTED", "KINDS", "FileTypeRefusedError", "kind_of", "media_type"]

#: media type -> the bytes such a file starts with (the types the desk takes)
ACCEPTED: Final = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
#: Every kind :func:`kind_of` may answer; each has its words in the catalogs
#: (``filetype.<kind>``).
KINDS: Final = (
    "pdf",
    "png",
    "jpeg",
    "docx",
    "xlsx",
    "pptx",
    "hwp",
    "hwpx",
    "doc",
    "xls",
    "office",
    "zip",
    "gif",
    "webp",
    "heic",
    "tiff",
    "bmp",
    "rtf",
    "html",
    "exe",
    "text",
    "unknown",
)
_MEDIA: Final = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIMPLE: Final = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"{\\rtf", "rtf"),
)


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _zip_kind(head: bytes) -> str:
    if b"application/hwp+zip" in head or b"Contents/section" in head:
        return "hwpx"
    for marker, kind in ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx")):
        if marker in head:
            return kind
    return "zip"


def _ole_kind(data: bytes) -> str:
    streams = _utf16("FileHeader") in data and _utf16("BodyText") in data
    if b"HWP Document File" in data or streams:
        return "hwp"
    if _utf16("WordDocument") in data:
        return "doc"
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return "xls"
    return "office"


def _text_kind(head: bytes) -> str:
    if b"\x00" in head:
        return "unknown"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            text = head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return "unknown"
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html")):
        return "html"
    return "text"


def _binary_kind(data: bytes) -> str | None:
    """Kinds told by more than a prefix: bitmaps, programs, WebP and HEIC images."""
    if data.startswith(b"BM") and data[6:10] == b"\x00\x00\x00\x00":  # reserved bytes
        return "bmp"
    if data.startswith(b"MZ") and b"\x00" in data[:64]:  # a DOS/Windows program header
        return "exe"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"hevc"}:
        return "heic"
    return None


def kind_of(data: bytes) -> str:
    """One of :data:`KINDS`: what the file is, from its bytes."""
    for magic, kind in _SIMPLE:
        if data.startswith(magic):
            return kind
    found = _binary_kind(data)
    if found is None and data.startswith(b"PK\x03\x04"):
        found = _zip_kind(data[:65536])
    if found is None and data.startswith(_OLE):
        found = _ole_kind(data)
    return found or _text_kind(data[:4096])


def media_type(data: bytes) -> str:
    """The media type of an accepted file; :class:`FileTypeRefusedError` for any other."""
    kind = kind_of(data)
    if kind not in _MEDIA:
        raise FileTypeRefusedError(kind)
    return _MEDIA[kind]


class FileTypeRefusedError(DeskError):
    """415 ``unsupported_document_type``: the message names what the file is, in words
    of the reader's language (``filetype.<kind>``)."""

    def __init__(self, kind: str) -> None:
        super().__init__("unsupported_document_type", 415, found=kind)
        self.kind = kind

    def message(self, lang: str = "en") -> str:
        found = t(f"filetype.{self.kind}", lang)
        return t("desk.error.unsupported_document_type", lang, found=found)
