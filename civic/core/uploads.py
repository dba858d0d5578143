"""Uploaded files: type checked by content, size-limited, stored outside static/, served by views.

Images are decoded and saved again, which drops metadata such as the GPS position in EXIF.
PDFs are parsed by pypdf, and refused if they do not parse, are encrypted (nothing inside could
be checked) or carry JavaScript, launch actions or embedded files. Download names are rebuilt
from a safe stem and the extension of what the file really is.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject
from werkzeug.utils import secure_filename

from .refusals import Refused

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}


class UploadRefused(Refused, ValueError):
    """The file is not of the allowed type or is too large; ``code`` names the reason."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    mimetype: str
    size_bytes: int


def _read_limited(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused("too_large")
    if not data:
        raise UploadRefused("empty")
    return data


# Names that make a PDF act rather than show: scripts, launching programs, files inside it.
ACTIVE_NAMES = frozenset(
    {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
)
ACTIVE_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"})
MAX_PDF_OBJECTS = 200_000  # a walk over more is refused rather than left unfinished


def _active_content(root: object) -> str | None:
    """The first active part found walking the document from its catalogue, or None."""
    seen: set[tuple[int, int]] = set()
    todo: list[object] = [root]
    walked = 0
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            return "too_complex"
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in ACTIVE_NAMES:
                    return str(key)
                if key == "/S" and value in ("/JavaScript", "/Launch"):
                    return str(value)
                if key == "/Subtype" and isinstance(value, NameObject) and value in ACTIVE_SUBTYPES:
                    return str(value)
                todo.append(value)
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    return None


def check_pdf(data: bytes) -> None:
    """Refuse what is not a plain PDF (see the module's docstring)."""
    if not data.startswith(b"%PDF-"):
        raise UploadRefused("not_pdf")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused("pdf_encrypted")
        if len(reader.pages) == 0:
            raise UploadRefused("not_pdf")
        found = _active_content(reader.trailer["/Root"])
    except UploadRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError):
        raise UploadRefused("not_pdf") from None  # pypdf's many ways of saying "not a PDF"
    if found is not None:
        raise UploadRefused("pdf_active_content")


def download_name(name: str | None, mimetype: str, fallback: str = "file") -> str:
    """A name to offer a download under: a safe stem of ``name`` and the extension of what the
    file is (so an upload named evil.html that is a PDF downloads as evil.pdf)."""
    extension = {"application/pdf": ".pdf"} | {m: s for m, s in IMAGE_FORMATS.values()}
    stem = secure_filename(Path(name or "").stem)[:80] or fallback
    return stem + extension.get(mimetype, ".bin")


def store_pdf(stream: IO[bytes], folder: Path) -> StoredFile:
    """Keep a PDF if pypdf reads it as a plain one."""
    data = _read_limited(stream, MAX_PDF_BYTES)
    check_pdf(data)
    name = secrets.token_hex(16) + ".pdf"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return StoredFile(name, "application/pdf", len(data))


def store_image(stream: IO[bytes], folder: Path) -> StoredFile:
    """Keep a JPEG, PNG or WebP image, re-encoded without its metadata."""
    data = _read_limited(stream, MAX_IMAGE_BYTES)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format or ""
            if image_format not in IMAGE_FORMATS:
                raise UploadRefused("not_image")
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise UploadRefused("too_large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            clean = ImageOps.exif_transpose(image)
            if image_format == "JPEG" and clean.mode not in ("RGB", "L"):
                clean = clean.convert("RGB")
            out = io.BytesIO()
            clean.save(out, format=image_format)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise UploadRefused("not_image") from None
    mimetype, suffix = IMAGE_FORMATS[image_format]
    name = secrets.token_hex(16) + suffix
    folder.mkdir(parents=True, exist_ok=True)
    payload = out.getvalue()
    (folder / name).write_bytes(payload)
    return StoredFile(name, mimetype, len(payload))


def stored_path(folder: Path, stored_name: str) -> Path:
    """The file's path, refusing names that would leave the folder."""
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return folder / stored_name
